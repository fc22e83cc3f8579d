/**
 * The breaker's rules on a clock the test moves: what gateway.test shows in workerd, here
 * without waiting for real time, including what workerd's clock cannot stage (a failed probe).
 */
import { CircuitBreaker } from "../../workers/gateway/src/circuitBreaker";

const OPEN_MS = 30_000;
let now = 0;
let breaker: CircuitBreaker;

beforeEach(() => {
    now = 1_000_000;
    breaker = new CircuitBreaker(3, OPEN_MS, () => now);
});

function failTimes(n: number): void {
    for (let i = 0; i < n; i++) {
        expect(breaker.tryAcquire("openai")).toBe(true);
        breaker.failure("openai");
    }
}

it("opens only after the threshold of failures in a row; a success in between starts the count again", () => {
    failTimes(2);
    breaker.success("openai");
    failTimes(2);
    expect(breaker.state("openai")).toBe("closed");
    failTimes(1);
    expect([breaker.state("openai"), breaker.tryAcquire("openai")]).toEqual(["open", false]);
    expect(breaker.state("anthropic")).toBe("closed");
});

it("lets exactly one probe through once the open period is over, and closes when it succeeds", () => {
    failTimes(3);
    now += OPEN_MS - 1;
    expect(breaker.tryAcquire("openai")).toBe(false);
    now += 1;
    expect(breaker.state("openai")).toBe("half-open");
    expect([breaker.tryAcquire("openai"), breaker.tryAcquire("openai")]).toEqual([true, false]);
    breaker.success("openai");
    expect([breaker.state("openai"), breaker.tryAcquire("openai")]).toEqual(["closed", true]);
});

it("reopens for a whole open period when the probe fails", () => {
    failTimes(3);
    now += OPEN_MS;
    expect(breaker.tryAcquire("openai")).toBe(true);
    breaker.failure("openai");
    expect(breaker.state("openai")).toBe("open");
    expect(breaker.retryAfterMs(["openai"])).toBe(OPEN_MS);
    now += OPEN_MS;
    expect(breaker.tryAcquire("openai")).toBe(true);
});

it("gives a probe that was never sent back, so the next request can probe", () => {
    failTimes(3);
    now += OPEN_MS;
    expect(breaker.tryAcquire("openai")).toBe(true);
    breaker.release("openai");
    expect(breaker.tryAcquire("openai")).toBe(true);
});

it("says how long until the earliest open circuit among the providers may be probed", () => {
    expect(breaker.retryAfterMs(["openai", "anthropic"])).toBe(0);
    failTimes(3);
    now += 10_000;
    for (let i = 0; i < 3; i++) breaker.failure("anthropic");
    expect(breaker.retryAfterMs(["openai", "anthropic"])).toBe(OPEN_MS - 10_000);
    expect(breaker.retryAfterMs(["anthropic"])).toBe(OPEN_MS);
});
