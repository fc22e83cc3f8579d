/**
 * What teams run an AI gateway for, in workerd through the real `openai` client: each key's
 * limits (a monthly budget, tokens per minute, allowed models, an expiry) answered with OpenAI's
 * errors; usage and cost per client for streamed and whole answers; request ids and the one
 * JSON log line per request; retries before failover; /health that asks the providers.
 */
import { join } from "node:path";
import type { Miniflare } from "miniflare";
import OpenAI from "openai";
import { REPO_ROOT } from "../../config/repoRoot";
import { FakeProvider } from "../../tools/fakeProviders";
import { WorkerLog, addClientKey, defaultGatewayBindings, gatewayInWorkerd } from "../../tools/gatewayWorkerd";
import { DATA_POINTS, type PointKind } from "../../workers/gateway/src/analyticsColumns";
import type { ClientRecord } from "../../workers/gateway/src/clientKeyRecord";
import { monthlyResetAt } from "../../workers/gateway/src/clientKeyRecord";
import { MODEL_PRICES } from "../../workers/gateway/src/modelPrices";

const RECORDING = join(REPO_ROOT, "workers", "gateway", "test", "recordingAnalytics.ts");
const openai = new FakeProvider("openai");
const anthropic = new FakeProvider("anthropic");
const log = new WorkerLog();
let mf: Miniflare;
let baseURL: string;
let keys = 0;

/** A client with its own key and record (so its own Durable Object and limits). */
async function clientWith(limits: Omit<ClientRecord, "client"> = {}, maxRetries = 2): Promise<{ api: OpenAI; client: string }> {
    const client = `limits-${++keys}`;
    await addClientKey(mf, `key-${client}`, { client, ...limits });
    return { api: new OpenAI({ apiKey: `key-${client}`, baseURL, maxRetries, timeout: 10_000 }), client };
}

const ask = (api: OpenAI, extra: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming> = {}) =>
    api.chat.completions.create({ model: "auto", messages: [{ role: "user", content: `q ${Math.random()}` }], ...extra }).withResponse();

/** The error a request ends in. */
async function refusal(request: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
    const error = await request.then(
        () => undefined,
        (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    return error as InstanceType<typeof OpenAI.APIError>;
}

/** The data points of `kind` written since the last read, by column name. */
async function points(kind: PointKind): Promise<Array<Record<string, string | number>>> {
    const raw = (await (await mf.dispatchFetch("https://gateway.test/__points")).json()) as Array<{ blobs: string[]; doubles: number[] }>;
    const { blobs, doubles } = DATA_POINTS[kind];
    return raw
        .filter((p) => p.blobs[0] === kind)
        .map((p) => ({
            ...Object.fromEntries(blobs.map((n, i) => [n, p.blobs[i]!])),
            ...Object.fromEntries(doubles.map((n, i) => [n, p.doubles[i]!])),
        }));
}

let openaiUrl: string;
let anthropicUrl: string;
beforeAll(async () => {
    [openaiUrl, anthropicUrl] = [await openai.start(), await anthropic.start()];
    const bindings = defaultGatewayBindings("test", { OPENAI_URL: openaiUrl, ANTHROPIC_URL: anthropicUrl });
    mf = gatewayInWorkerd(bindings, RECORDING, undefined, log);
    baseURL = `${(await mf.ready).toString()}v1`;
});
afterAll(async () => {
    await mf.dispose();
    await Promise.all([openai.stop(), anthropic.stop()]);
});
beforeEach(async () => {
    openai.reset();
    anthropic.reset();
    await points("usage");
});

describe("limits in the key record", () => {
    it.each([
        ["tokens", { tokens: 8 }, "8 tokens"],
        ["dollars", { usd: 0.000002 }, "$0.000002"],
    ])("a spent monthly budget (%s): 429 insufficient_quota saying when it resets, and not retried", async (_, budget, named) => {
        const { api, client } = await clientWith({ monthlyBudget: budget });
        // The fake's answer spends 8 tokens costing more than $0.000002: the first request spends the budget.
        const first = await ask(api);
        await log.request(first.request_id!);
        const error = await refusal(ask(api));
        expect([error.status, error.code, error.type]).toEqual([429, "insufficient_quota", "insufficient_quota"]);
        expect(error.message).toContain(`client ${client} has spent its monthly budget of ${named}`);
        expect(error.message).toContain(`it resets at ${monthlyResetAt(Date.now()).toISOString()}`);
        expect(error.headers?.get("x-should-retry")).toBe("false");
        // maxRetries 2, yet one provider call in all: the client was told not to retry.
        expect(openai.calls).toBe(1);
    });

    it("a token-per-minute limit: 429 rate_limit_exceeded with Retry-After once the answers' tokens used it up", async () => {
        // No retries: OpenAI's client would wait the Retry-After and be served.
        const { api } = await clientWith({ tokensPerMinute: 8 }, 0);
        const first = await ask(api);
        await log.request(first.request_id!);
        const error = await refusal(ask(api));
        expect([error.status, error.code]).toEqual([429, "rate_limit_exceeded"]);
        expect(error.message).toContain("token rate limit (8 tokens per minute)");
        // A token comes back every 7.5 s at 8 a minute.
        expect(Number(error.headers?.get("retry-after"))).toBeGreaterThanOrEqual(1);
        expect(Number(error.headers?.get("retry-after"))).toBeLessThanOrEqual(8);
    });

    it("an expired key: 401 invalid_api_key naming when it expired; one expiring later still works", async () => {
        const { api: expired } = await clientWith({ expiresAt: "2026-01-01T00:00:00Z" });
        const error = await refusal(ask(expired));
        expect([error.status, error.code]).toEqual([401, "invalid_api_key"]);
        expect(error.message).toContain("this key expired at 2026-01-01T00:00:00.000Z");
        const { api: later } = await clientWith({ expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
        expect((await ask(later)).data.choices[0]!.message.content).toEqual(expect.any(String));
    });

    it("a model the key may not use: 403 model_not_allowed; auto is served only by the providers of its models", async () => {
        const { api } = await clientWith({ models: ["claude-sonnet-4-5"] });
        const error = await refusal(ask(api, { model: "gpt-4o-mini" }));
        expect([error.status, error.code, error.param]).toEqual([403, "model_not_allowed", "model"]);
        expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
        const served = await ask(api);
        expect([served.response.headers.get("x-provider"), openai.calls]).toEqual(["anthropic", 0]);
        const { api: none } = await clientWith({ models: ["gpt-5"] });
        expect((await refusal(ask(none))).message).toContain("the gateway serves none of them now");
    });
});

describe("usage per client", () => {
    const price = (model: string, prompt: number, completion: number) =>
        (prompt * MODEL_PRICES[model]!.inputPerMillion + completion * MODEL_PRICES[model]!.outputPerMillion) / 1e6;

    it("counts a whole answer's tokens and cost for its client, model and provider, in a data point and the log line", async () => {
        const { api, client } = await clientWith();
        const { request_id } = await ask(api);
        const line = await log.request(request_id!);
        const cost = price("gpt-4o-mini", 5, 3);
        expect(line).toMatchObject({ client, provider: "openai", servedModel: "gpt-4o-mini", promptTokens: 5, completionTokens: 3 });
        expect(line["costUsd"]).toBeCloseTo(cost, 12);
        const [usage] = await points("usage");
        expect(usage).toMatchObject({
            client,
            provider: "openai",
            model: "gpt-4o-mini",
            priced: "yes",
            promptTokens: 5,
            completionTokens: 3,
        });
        expect(usage!["costUsd"]).toBeCloseTo(cost, 12);
    });

    it.each([
        ["openai", "gpt-4o-mini"],
        ["anthropic", "claude-sonnet-4-5"],
    ])("counts a streamed answer's tokens from %s's stream, whether or not the client asked for usage", async (provider, model) => {
        if (provider === "anthropic") openai.behaviour = "fail";
        const { api, client } = await clientWith();
        const { data: stream, request_id } = await api.chat.completions
            .create({ model: "auto", stream: true, messages: [{ role: "user", content: `stream ${provider}` }] })
            .withResponse();
        let text = "";
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
        expect(text).toBe(`hello from ${provider}`);
        const line = await log.request(request_id!);
        expect(line).toMatchObject({ client, provider, servedModel: model, promptTokens: 5, completionTokens: 3 });
        const usage = (await points("usage")).find((p) => p["client"] === client);
        expect(usage).toMatchObject({ provider, model, promptTokens: 5, completionTokens: 3 });
        expect(usage!["costUsd"]).toBeCloseTo(price(model, 5, 3), 12);
    });

    it("charges a stream cut short: what the provider had reported, raised to an estimate at four characters a token, never nothing", async () => {
        const { api, client } = await clientWith();
        const prompt = "a stream that breaks after its first words";
        // The provider sends its first content, then drops the connection: no usage ever comes.
        openai.behaviour = "stream-breaks-midway";
        const { data: stream, request_id } = await api.chat.completions
            .create({ model: "auto", stream: true, messages: [{ role: "user", content: prompt }] })
            .withResponse();
        await (async () => {
            for await (const _ of stream);
        })().catch(() => undefined);
        const line = await log.request(request_id!);
        expect(line).toMatchObject({ client, provider: "openai", usageEstimated: true, promptTokens: Math.ceil(prompt.length / 4) });
        expect((await points("usage")).find((p) => p["client"] === client)).toMatchObject({ promptTokens: Math.ceil(prompt.length / 4) });
    });

    it("counts nothing for a cache hit: the provider was not asked", async () => {
        const { api } = await clientWith();
        const body = { model: "auto", messages: [{ role: "user" as const, content: "cached question" }], temperature: 0 };
        await log.request((await api.chat.completions.create(body).withResponse()).request_id!);
        const hit = await api.chat.completions.create(body).withResponse();
        expect(hit.response.headers.get("x-cache")).toBe("HIT");
        expect(await log.request(hit.request_id!)).toMatchObject({ cache: "HIT", promptTokens: 0, provider: null });
        expect(await points("usage")).toHaveLength(1);
    });
});

describe("request ids and logs", () => {
    it("keeps a caller's x-request-id, returns it, and logs the request under it", async () => {
        const { api, client } = await clientWith();
        const { response } = await api.chat.completions
            .create({ model: "auto", messages: [{ role: "user", content: "with an id" }] }, { headers: { "x-request-id": "req-abc.123" } })
            .withResponse();
        expect(response.headers.get("x-request-id")).toBe("req-abc.123");
        const line = await log.request("req-abc.123");
        // Far inside Logpush's 16,384 characters of logs per invocation.
        expect(JSON.stringify(line).length).toBeLessThan(1024);
        expect(line).toEqual({
            message: "chat request",
            requestId: "req-abc.123",
            client,
            model: "auto",
            servedModel: "gpt-4o-mini",
            provider: "openai",
            status: 200,
            latencyMs: expect.any(Number),
            cache: "BYPASS",
            promptTokens: 5,
            completionTokens: 3,
            costUsd: expect.any(Number),
            attempts: ["openai:ok"],
        });
    });

    it("makes an id for a request without one, or with one that is not plain, and names every answer with it", async () => {
        const odd = await mf.dispatchFetch("https://gateway.test/health", { headers: { "x-request-id": "two words" } });
        expect(odd.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
        const refused = await mf.dispatchFetch("https://gateway.test/v1/chat/completions", { method: "POST", body: "{}" });
        const id = refused.headers.get("x-request-id")!;
        expect(id).toMatch(/^[0-9a-f-]{36}$/);
        expect(await log.request(id)).toMatchObject({ status: 401, client: null, provider: null });
    });
});

describe("retries before failover", () => {
    it("retries a provider's passing 503 on the same provider, then serves from it", async () => {
        const { api } = await clientWith();
        openai.failNext = 1;
        const { response, request_id } = await ask(api);
        expect([response.headers.get("x-provider"), openai.calls, anthropic.calls]).toEqual(["openai", 2, 0]);
        expect((await log.request(request_id!))["attempts"]).toEqual(["openai:failed", "openai:ok"]);
    });

    it("counts a provider's failure once per request however often it was retried: retries alone open no circuit", async () => {
        const strict = gatewayInWorkerd(
            defaultGatewayBindings("test", {
                OPENAI_URL: openaiUrl,
                ANTHROPIC_URL: anthropicUrl,
                CIRCUIT_FAILURES: "2",
                PROVIDER_RETRIES: "2",
                PROVIDER_RETRY_BACKOFF_MS: "20",
            }),
        );
        try {
            await addClientKey(strict, "key-strict", { client: "strict" });
            const api = new OpenAI({ apiKey: "key-strict", baseURL: `${(await strict.ready).toString()}v1`, maxRetries: 0 });
            openai.behaviour = "fail";
            const { response } = await ask(api);
            // Three calls to openai, one failure counted: its circuit stays closed.
            expect([response.headers.get("x-provider"), openai.calls]).toEqual(["anthropic", 3]);
            openai.behaviour = "ok";
            const health = (await (await strict.dispatchFetch("https://gateway.test/health")).json()) as {
                providers: Record<string, { circuit: string }>;
            };
            expect(health.providers["openai"]!.circuit).toBe("closed");
        } finally {
            await strict.dispose();
        }
    });

    it("fails over at once when the provider asks for a longer wait than the backoff (429 Retry-After 7)", async () => {
        const { api } = await clientWith();
        openai.behaviour = "limited";
        const { response } = await ask(api);
        expect([response.headers.get("x-provider"), openai.calls]).toEqual(["anthropic", 1]);
    });
});

describe("numeric parameters as OpenAI's API bounds them", () => {
    it.each([
        ["presence_penalty", { presence_penalty: 2.5 }],
        ["frequency_penalty", { frequency_penalty: -3 }],
        ["seed", { seed: 1.5 }],
        ["top_logprobs", { top_logprobs: 3 }],
        ["logit_bias", { logit_bias: { "50256": 101 } }],
        ["max_tokens", { max_tokens: 1.5 }],
    ])("refuses %s out of its range with a 400 naming it", async (param, extra) => {
        const { api } = await clientWith();
        const error = await refusal(ask(api, extra as Partial<OpenAI.ChatCompletionCreateParamsNonStreaming>));
        expect([error.status, error.param]).toEqual([400, param]);
        expect(openai.calls).toBe(0);
    });
});

describe("/health asks the providers", () => {
    it("answers 503 on a fresh isolate when both providers refuse connections, naming each as unreachable", async () => {
        const [deadOpenai, deadAnthropic] = [new FakeProvider("openai"), new FakeProvider("anthropic")];
        deadOpenai.behaviour = deadAnthropic.behaviour = "dead";
        const fresh = gatewayInWorkerd(
            defaultGatewayBindings("test", { OPENAI_URL: await deadOpenai.start(), ANTHROPIC_URL: await deadAnthropic.start() }),
        );
        try {
            const response = await fresh.dispatchFetch("https://gateway.test/health");
            const body = (await response.json()) as { status: string; providers: Record<string, { state: string; circuit: string }> };
            expect([response.status, body.status]).toEqual([503, "degraded"]);
            expect(body.providers).toMatchObject({
                openai: { state: "unreachable", circuit: "closed" },
                anthropic: { state: "unreachable", circuit: "closed" },
            });
            expect([deadOpenai.probes, deadAnthropic.probes, deadOpenai.calls + deadAnthropic.calls]).toEqual([1, 1, 0]);
        } finally {
            await fresh.dispose();
            await Promise.all([deadOpenai.stop(), deadAnthropic.stop()]);
        }
    });
});
