/**
 * The gateway's own signals as workerd writes them: every chat answer is a data point, the
 * answers of its top-level catch and of a misconfigured gateway included; a shared answer's
 * wait is the provider's; each KV export run, failed or skipped, is a point. Read back through a
 * recording Analytics Engine binding (workers/gateway/test/recordingAnalytics.ts).
 */
import { join } from "node:path";
import type { Miniflare } from "miniflare";
import { REPO_ROOT } from "../../config/repoRoot";
import { FakeProvider } from "../../tools/fakeProviders";
import { addClientKey, defaultGatewayBindings, gatewayInWorkerd } from "../../tools/gatewayWorkerd";
import { DEPENDENCY_TIMEOUT_MS } from "../../workers/gateway/src/timeouts";
import { DATA_POINTS, type PointKind } from "../../workers/gateway/src/analyticsColumns";

const ENTRY = join(REPO_ROOT, "workers", "gateway", "test", "recordingAnalytics.ts");
const openai = new FakeProvider("openai");
const anthropic = new FakeProvider("anthropic");
let healthy: Miniflare;
let misconfigured: Miniflare;
const KEY = "gw-signals-test-key";

type Point = Record<string, string | number>;
/** The points written since the last call, by column name. */
/** The points written since the last read, by column name; each names the version that wrote it (checked, then left out). */
async function pointsOf(mf: Miniflare): Promise<Point[]> {
    const raw = (await (await mf.dispatchFetch("https://gateway.test/__points")).json()) as Array<{ blobs: string[]; doubles: number[] }>;
    return raw.map(({ blobs, doubles }) => {
        const layout = DATA_POINTS[blobs[0] as PointKind];
        const { version, ...point } = Object.fromEntries([
            ...layout.blobs.map((n, i) => [n, blobs[i]!]),
            ...layout.doubles.map((n, i) => [n, doubles[i]!]),
        ]) as Point;
        expect(version).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        return point;
    });
}
const setFaults = (mf: Miniflare, faults: string[]) =>
    mf.dispatchFetch("https://gateway.test/__faults", { method: "POST", body: JSON.stringify(faults) });
const ask = (mf: Miniflare, text: string, headers: Record<string, string> = {}) =>
    mf.dispatchFetch("https://gateway.test/v1/chat/completions", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${KEY}`, ...headers },
        body: JSON.stringify({ model: "auto", temperature: 0, messages: [{ role: "user", content: text }] }),
    });
const runExport = async (mf: Miniflare) =>
    (await mf.getWorker()).scheduled({ scheduledTime: new Date("2026-11-23T03:00:00Z"), cron: "0 3 * * *" });

beforeAll(async () => {
    const urls = { OPENAI_URL: await openai.start(), ANTHROPIC_URL: await anthropic.start() };
    healthy = gatewayInWorkerd(defaultGatewayBindings("test", urls), ENTRY);
    // A provider URL that is not one: the gateway cannot serve, and says so at /health.
    misconfigured = gatewayInWorkerd(defaultGatewayBindings("test", { ...urls, OPENAI_URL: "not a url" }), ENTRY);
    await addClientKey(healthy, KEY, { client: "signals", rateLimit: { burst: 100, maxRequests: 100 } });
});

afterAll(async () => {
    await Promise.all([healthy.dispose(), misconfigured.dispose()]);
    await Promise.all([openai.stop(), anthropic.stop()]);
});

afterEach(async () => {
    await setFaults(healthy, []);
    await pointsOf(healthy);
    openai.latencyMs = 0;
});

it("an uncaught error's 500 is a 5xx request point, as the gateway's error alert counts it", async () => {
    await setFaults(healthy, ["STATE"]);
    const response = await ask(healthy, "while STATE is down");
    expect([response.status, ((await response.json()) as { error: { code: string } }).error.code]).toEqual([500, "internal_error"]);
    expect(await pointsOf(healthy)).toEqual([
        { kind: "request", statusClass: "5xx", cache: "NONE", provider: "none", durationMs: expect.any(Number), providerWaitMs: 0 },
    ]);
});

it("a key store or a cache that hangs costs a request its dependency timeout, never the request itself", async () => {
    await setFaults(healthy, ["STATE:hang"]);
    let started = Date.now();
    const refused = await ask(healthy, "while STATE hangs");
    expect(refused.status).toBe(500);
    expect(Date.now() - started).toBeLessThan(DEPENDENCY_TIMEOUT_MS + 1_500);
    await pointsOf(healthy);
    await setFaults(healthy, ["CACHE:hang"]);
    started = Date.now();
    // A cacheable request: the cache's read times out as a miss, the provider answers; the write waits after the response.
    const served = await ask(healthy, "while the cache hangs");
    expect([served.status, served.headers.get("x-cache")]).toEqual([200, "MISS"]);
    expect(Date.now() - started).toBeLessThan(DEPENDENCY_TIMEOUT_MS + 1_500);
});

it("the misconfigured gateway's 503 is a 5xx request point", async () => {
    const response = await ask(misconfigured, "misconfigured");
    expect(response.status).toBe(503);
    expect(await pointsOf(misconfigured)).toEqual([
        { kind: "request", statusClass: "5xx", cache: "NONE", provider: "none", durationMs: expect.any(Number), providerWaitMs: 0 },
    ]);
});

it("a shared answer's wait is counted as the provider's, its attempts once, by the caller that made them", async () => {
    openai.latencyMs = 400;
    const responses = await Promise.all(Array.from({ length: 3 }, () => ask(healthy, "asked three times at once")));
    expect(responses.map((r) => r.headers.get("x-cache")).sort()).toEqual(["MISS", "SHARED", "SHARED"]);
    const points = await pointsOf(healthy);
    expect(points.filter((p) => p["kind"] === "attempt")).toEqual([
        { kind: "attempt", provider: "openai", outcome: "ok", ms: expect.any(Number) },
    ]);
    const shared = points.filter((p) => p["cache"] === "SHARED");
    expect(shared).toHaveLength(2);
    for (const point of shared) {
        // Most of the request is the provider's 400 ms; what is left is the gateway's own time.
        expect(point["providerWaitMs"]).toBeGreaterThanOrEqual(300);
        expect(Number(point["durationMs"]) - Number(point["providerWaitMs"])).toBeLessThan(Number(point["providerWaitMs"]));
    }
});

it("each KV export run is a point: done, failed part way, or skipped on a misconfigured gateway", async () => {
    await runExport(healthy);
    expect(await pointsOf(healthy)).toEqual([{ kind: "kvExport", outcome: "ok", ms: expect.any(Number), exported: 1, deleted: 0 }]);

    await setFaults(healthy, ["BACKUPS"]);
    // A run that throws is an exception to Cloudflare, as its Cron Events show it.
    expect(await runExport(healthy)).toEqual({ outcome: "exception", noRetry: false });
    expect(await pointsOf(healthy)).toEqual([{ kind: "kvExport", outcome: "failed", ms: expect.any(Number), exported: 0, deleted: 0 }]);

    expect(await runExport(misconfigured)).toEqual({ outcome: "exception", noRetry: false });
    expect(await pointsOf(misconfigured)).toEqual([
        { kind: "kvExport", outcome: "skipped", ms: expect.any(Number), exported: 0, deleted: 0 },
    ]);
});
