/**
 * A rate limiter that fails, as workerd runs it: its Durable Object throws, answers a JSON 500, or
 * never answers. The client is never blamed (no 429), nothing hangs past edge.rateLimit.timeoutMs,
 * the failure is counted as the limiter's failed attempt, and /health says so within its bound.
 * Through the real `openai` client.
 */
import { join } from "node:path";
import type { Miniflare } from "miniflare";
import OpenAI from "openai";
import { REPO_ROOT } from "../../config/repoRoot";
import { FakeProvider } from "../../tools/fakeProviders";
import { addClientKey, defaultGatewayBindings, gatewayInWorkerd } from "../../tools/gatewayWorkerd";
import { DATA_POINTS, type PointKind } from "../../workers/gateway/src/analyticsColumns";

/** The gateway with a recording Analytics Engine binding (workers/gateway/test/recordingAnalytics.ts). */
const RECORDING = join(REPO_ROOT, "workers", "gateway", "test", "recordingAnalytics.ts");
async function attemptsOf(on: Miniflare): Promise<Array<Record<string, string | number>>> {
    const raw = (await (await on.dispatchFetch("https://gateway.test/__points")).json()) as Array<{ blobs: string[]; doubles: number[] }>;
    return raw
        .filter(({ blobs }) => blobs[0] === "attempt")
        .map(({ blobs }) => Object.fromEntries(DATA_POINTS[blobs[0] as PointKind].blobs.map((n, i) => [n, blobs[i]!])));
}

/** Picks its failure by client: the Durable Object's name is `client:<client>`. */
const BROKEN_LIMITER = `
export class RateLimiter {
  constructor(state) { this.name = state.id.name ?? ""; }
  async fetch(request) {
    if (new URL(request.url).pathname === "/ping") return new Promise(() => {});
    if (this.name.endsWith("throws")) throw new Error("limiter bug");
    if (this.name.endsWith("errs")) return Response.json({ error: "boom" }, { status: 500 });
    return new Promise(() => {});
  }
}
export default { fetch() { return new Response("limiter"); } };
`;

const provider = new FakeProvider("openai");
let mf: Miniflare;
let open: Miniflare;
let url: string;
beforeAll(async () => {
    const bindings = { RATE_LIMIT_TIMEOUT_MS: "300", OPENAI_URL: await provider.start(), PROVIDER_ORDER: "openai" };
    mf = gatewayInWorkerd(defaultGatewayBindings("test", bindings), RECORDING, BROKEN_LIMITER);
    open = gatewayInWorkerd(defaultGatewayBindings("test", { ...bindings, RATE_LIMIT_ON_FAILURE: "open" }), RECORDING, BROKEN_LIMITER);
    url = (await mf.ready).toString();
    for (const client of ["throws", "errs", "hangs"]) await addClientKey(mf, `key-${client}`, { client });
    await addClientKey(open, "key-throws", { client: "throws" });
});
afterAll(async () => {
    await Promise.all([mf.dispose(), open.dispose()]);
    await provider.stop();
});

it.each(["throws", "errs", "hangs"])("a limiter that %s: 503 with Retry-After, never a 429, within the timeout", async (client) => {
    const openai = new OpenAI({ apiKey: `key-${client}`, baseURL: `${url}v1`, maxRetries: 0, timeout: 5_000 });
    const started = Date.now();
    const error = await openai.chat.completions
        .create({ model: "auto", messages: [{ role: "user", content: "hi" }] })
        .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect([apiError.status, apiError.code, apiError.headers?.get("retry-after")]).toEqual([503, "rate_limiter_unavailable", "1"]);
    expect(Date.now() - started).toBeLessThan(3_000);
    // Counted as the limiter's failed attempt, which GatewayProviderFailing reads.
    expect(await attemptsOf(mf)).toEqual([expect.objectContaining({ provider: "rate-limiter", outcome: "failed" })]);
});

it("open by config: the request is served, and the failure still counted", async () => {
    const openai = new OpenAI({ apiKey: "key-throws", baseURL: `${(await open.ready).toString()}v1`, maxRetries: 0, timeout: 5_000 });
    const answer = await openai.chat.completions.create({ model: "auto", messages: [{ role: "user", content: "hi" }] });
    expect(answer.choices[0]!.message.content).toEqual(expect.any(String));
    expect(await attemptsOf(open)).toEqual([
        expect.objectContaining({ provider: "rate-limiter", outcome: "failed" }),
        expect.objectContaining({ provider: "openai", outcome: "ok" }),
    ]);
});

it("/health answers, saying the limiter fails, even when it never answers", async () => {
    const started = Date.now();
    const response = await mf.dispatchFetch("https://gateway.test/health");
    const body = (await response.json()) as { status: string; dependencies: Record<string, { state: string; error?: string }> };
    expect(response.status).toBe(503);
    expect(body.dependencies["rateLimiter"]).toMatchObject({ state: "error", error: expect.stringContaining("did not answer within") });
    expect(Date.now() - started).toBeLessThan(4_000);
});
