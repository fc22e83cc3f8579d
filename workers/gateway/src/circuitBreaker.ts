/**
 * A circuit breaker per provider, per isolate: after `threshold` failures in a row a provider
 * is skipped for `openMs`; then one request probes it (half-open) and its outcome closes or
 * reopens the circuit. A hanging provider costs a few requests their timeout, not every one.
 */
export type CircuitState = "closed" | "open" | "half-open";

interface Circuit {
    failures: number;
    openedAt?: number;
    probing: boolean;
}

export class CircuitBreaker {
    private readonly circuits = new Map<string, Circuit>();

    constructor(
        private readonly threshold: number,
        private readonly openMs: number,
        private readonly now: () => number = Date.now,
    ) {}

    state(provider: string): CircuitState {
        const c = this.circuits.get(provider);
        if (!c || c.openedAt === undefined) return "closed";
        return this.now() - c.openedAt >= this.openMs ? "half-open" : "open";
    }

    /** Whether a request may try `provider` now; a half-open circuit lets one probe through at a time. */
    tryAcquire(provider: string): boolean {
        const state = this.state(provider);
        if (state === "closed") return true;
        const c = this.circuits.get(provider)!;
        if (state === "open" || c.probing) return false;
        c.probing = true;
        return true;
    }

    /** Gives back a probe that was never sent (the request ran out of time first). */
    release(provider: string): void {
        const c = this.circuits.get(provider);
        if (c) c.probing = false;
    }

    success(provider: string): void {
        this.circuits.delete(provider);
    }

    failure(provider: string): void {
        const c = this.circuits.get(provider) ?? { failures: 0, probing: false };
        c.failures++;
        if (c.probing || c.failures >= this.threshold) c.openedAt = this.now();
        c.probing = false;
        this.circuits.set(provider, c);
    }

    /** Milliseconds until the earliest open circuit among `providers` may be probed. */
    retryAfterMs(providers: readonly string[]): number {
        const waits = providers
            .map((p) => this.circuits.get(p)?.openedAt)
            .filter((t): t is number => t !== undefined)
            .map((t) => Math.max(0, t + this.openMs - this.now()));
        return waits.length > 0 ? Math.min(...waits) : 0;
    }
}
