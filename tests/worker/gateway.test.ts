/**
 * The gateway bundle running in workerd (through miniflare) with real KV, R2 and Durable
 * Objects, fake AI providers on 127.0.0.1, and the official `openai` npm client as its client.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import type { Miniflare } from "miniflare";
import OpenAI from "openai";
import { sectionSettings } from "../../config/sections";
import { FakeProvider, UPSTREAM_SECRET_IN_401, type Behaviour } from "../../tools/fakeProviders";
import { addClientKey, clientKeyName, gatewayInWorkerd, type BindingOverrides } from "../../tools/gatewayWorkerd";
import type { GatewaySecret, GatewayVar } from "../../workers/gateway/src/vars";

const openai = new FakeProvider("openai");
const anthropic = new FakeProvider("anthropic");
const origin = createServer((req, res) => res.writeHead(200, { "content-type": "text/plain" }).end(`origin saw ${req.method} ${req.url}`));
let urls: { openai: string; anthropic: string; origin: string };

const DEFAULT_PROVIDERS = sectionSettings("edge", undefined, "the gateway's tests").providers;
const VARS = {
    ENVIRONMENT: "test",
    VERSION: "test-version",
    CACHE_SIZE: "100",
    CACHE_TTL_MS: "3600000",
    CACHE_CLEANUP_INTERVAL_MS: "300000",
    RATE_LIMIT_MAX_REQUESTS: "5",
    RATE_LIMIT_WINDOW_MS: "600000",
    RATE_LIMIT_BURST: "5",
    RATE_LIMIT_TIMEOUT_MS: "1000",
    RATE_LIMIT_ON_FAILURE: "closed",
    CONCURRENCY_MAX: "50",
    CONCURRENCY_MIN: "10",
    PROVIDER_ORDER: "openai,anthropic",
    // The schema's defaults: a busy machine never stretches a healthy answer past them, so a
    // test fails over only where a provider misbehaves. Timeouts are tested on `hasty` instances.
    PROVIDER_TIMEOUT_MS: String(DEFAULT_PROVIDERS.timeoutMs),
    REQUEST_DEADLINE_MS: String(DEFAULT_PROVIDERS.deadlineMs),
    // Failover at once, so a test counts one call per provider; retries are tested on their own instance.
    PROVIDER_RETRIES: "0",
    PROVIDER_RETRY_BACKOFF_MS: "50",
    // The shared instance never opens a circuit, so tests stay independent; the breaker has its own.
    CIRCUIT_FAILURES: "1000",
    CIRCUIT_OPEN_MS: "60000",
    OPENAI_MODEL: "gpt-test",
    ANTHROPIC_MODEL: "claude-test",
    KV_BACKUP_BINDINGS: "STATE",
    KV_BACKUP_PREFIX: "kv-backups/",
    KV_BACKUP_RETENTION_DAYS: "30",
    OPENAI_API_KEY: "test-openai-key",
    ANTHROPIC_API_KEY: "test-anthropic-key",
} satisfies Record<Exclude<GatewayVar, "OPENAI_URL" | "ANTHROPIC_URL" | "ORIGIN_URL"> | GatewaySecret, string>;

function gateway(overrides: BindingOverrides = {}): Miniflare {
    const bindings = Object.fromEntries(
        Object.entries({ ...VARS, OPENAI_URL: urls.openai, ANTHROPIC_URL: urls.anthropic, ORIGIN_URL: urls.origin, ...overrides }).filter(
            (e): e is [string, string] => e[1] !== undefined,
        ),
    );
    return gatewayInWorkerd(bindings);
}

let mf: Miniflare;
let baseURL: string;
/**
 * Short timeouts for the tests of a hanging provider. A provider that answers still gets a
 * whole second after the hang (what is left of the deadline), so a busy machine's stalls do not
 * turn its answer into a timeout; the deadline is under two timeouts so that the second
 * provider is cut short by it.
 */
const HASTY = { PROVIDER_TIMEOUT_MS: "1200", REQUEST_DEADLINE_MS: "2200" };
let hastyInstance: Miniflare | undefined;
const hasty = () => (hastyInstance ??= gateway(HASTY));
let keys = 0;

/** A fresh client with its own key (so its own rate-limit bucket and cache entries). */
async function newClient(on: Miniflare = mf, rateLimit?: Record<string, number>): Promise<{ key: string; client: string }> {
    const client = `client-${++keys}`;
    const key = `gw-test-key-${keys}-${Math.random().toString(36).slice(2)}`;
    await addClientKey(on, key, { client, ...(rateLimit ? { rateLimit } : {}) });
    return { key, client };
}

const chatBody = (text: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ model: "auto", messages: [{ role: "user", content: text }], ...extra });
const post = (
    on: Miniflare,
    key: string | undefined,
    body: string,
    headers: Record<string, string> = { "content-type": "application/json" },
) =>
    on.dispatchFetch("https://gateway.test/v1/chat/completions", {
        method: "POST",
        body,
        headers: { ...headers, ...(key ? { authorization: `Bearer ${key}` } : {}) },
    });
/** Calls a provider received for a question: independent of late calls other tests left behind. */
const callsAsking = (provider: FakeProvider, text: string) =>
    provider.requests.filter((r) => JSON.stringify(r["messages"]).includes(text)).length;
const errorOf = async (response: Response) =>
    ((await response.json()) as { error: { message: string; type: string; code: string | null; param: string | null } }).error;

beforeAll(async () => {
    const o = await openai.start();
    const a = await anthropic.start();
    await new Promise<void>((resolve) => origin.listen(0, "127.0.0.1", resolve));
    urls = { openai: o, anthropic: a, origin: `http://127.0.0.1:${(origin.address() as AddressInfo).port}` };
    mf = gateway();
    baseURL = `${(await mf.ready).toString()}v1`;
});

afterAll(async () => {
    await mf.dispose();
    await hastyInstance?.dispose();
    await Promise.all([openai.stop(), anthropic.stop(), new Promise((r) => origin.close(r))]);
});

beforeEach(() => {
    openai.reset();
    anthropic.reset();
});

describe("the official openai client, unchanged, against the gateway", () => {
    const clientFor = (key: string) => new OpenAI({ apiKey: key, baseURL, maxRetries: 0, timeout: 10_000 });

    it("gets a chat completion, whichever provider answers", async () => {
        const { key } = await newClient();
        const first = await clientFor(key).chat.completions.create({ model: "auto", messages: [{ role: "user", content: "hi" }] });
        expect(first).toMatchObject({
            object: "chat.completion",
            model: "gpt-test",
            choices: [{ index: 0, message: { role: "assistant", content: "hello from openai" }, finish_reason: "stop" }],
            usage: { total_tokens: 8 },
        });
        expect(first.id).toMatch(/^chatcmpl-/);

        openai.behaviour = "fail";
        const failedOver = await clientFor(key).chat.completions.create({
            model: "auto",
            messages: [
                { role: "system", content: "be brief" },
                { role: "user", content: "hi again" },
            ],
            max_tokens: 50,
            temperature: 0.5,
        });
        expect(failedOver).toMatchObject({
            model: "claude-test",
            choices: [{ message: { content: "hello from anthropic" }, finish_reason: "stop" }],
            usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
        });
        expect(anthropic.requests[0]).toMatchObject({
            model: "claude-test",
            system: "be brief",
            max_tokens: 50,
            temperature: 0.5,
            messages: [{ role: "user", content: "hi again" }],
        });
    });

    it.each<[string, Behaviour, string]>([
        ["from OpenAI's stream", "ok", "hello from openai"],
        ["from Anthropic's stream, translated", "fail", "hello from anthropic"],
        ["after OpenAI's stream breaks before any content", "stream-breaks", "hello from anthropic"],
    ])("streams %s as OpenAI chunks", async (_, primary, expected) => {
        openai.behaviour = primary;
        const { key } = await newClient();
        const stream = await clientFor(key).chat.completions.create({
            model: "auto",
            messages: [{ role: "user", content: "stream please" }],
            stream: true,
            stream_options: { include_usage: true },
        });
        const chunks: OpenAI.ChatCompletionChunk[] = [];
        for await (const chunk of stream) chunks.push(chunk);
        expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe(expected);
        expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.id === chunks[0]!.id)).toBe(true);
        expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe("stop");
        expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: 8 } });
    });

    it("raises the client's own error classes for 401, 400 and 429", async () => {
        await expect(
            clientFor("not-a-key").chat.completions.create({ model: "auto", messages: [{ role: "user", content: "hi" }] }),
        ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
        const { key } = await newClient();
        await expect(
            clientFor(key).chat.completions.create({ model: "auto", messages: [{ role: "system", content: "no user" }] }),
        ).rejects.toMatchObject({ status: 400, code: null, param: "messages" });
        const { key: limitedKey } = await newClient(mf, { burst: 1 });
        await clientFor(limitedKey).chat.completions.create({ model: "auto", messages: [{ role: "user", content: "one" }] });
        const limited = await clientFor(limitedKey)
            .chat.completions.create({ model: "auto", messages: [{ role: "user", content: "two" }] })
            .catch((e: unknown) => e);
        expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
        expect((limited as InstanceType<typeof OpenAI.RateLimitError>).headers.get("retry-after")).toMatch(/^\d+$/);
    });
});

describe("client keys", () => {
    it.each([
        ["no Authorization header", undefined, "Authorization: Bearer"],
        ["an unknown key", "gw-unknown", "invalid API key"],
    ])("answers %s with 401 in OpenAI's error format, calling no provider", async (_, key, message) => {
        const response = await post(mf, key, chatBody("hi"));
        expect([response.status, response.headers.get("www-authenticate")]).toEqual([401, "Bearer"]);
        expect(await errorOf(response)).toEqual({
            message: expect.stringContaining(message),
            type: "invalid_request_error",
            code: "invalid_api_key",
            param: null,
        });
        expect(openai.calls + anthropic.calls).toBe(0);
    });

    it("refuses a key whose record is malformed, and a key once its record is deleted (revoked)", async () => {
        const state = await mf.getKVNamespace("STATE");
        await state.put(clientKeyName("gw-malformed"), '{"name":"no client field"}');
        expect((await post(mf, "gw-malformed", chatBody("hi"))).status).toBe(401);
        const { key } = await newClient();
        expect((await post(mf, key, chatBody("before revoke"))).status).toBe(200);
        await state.delete(clientKeyName(key));
        expect((await post(mf, key, chatBody("after revoke"))).status).toBe(401);
    });

    it("rate-limits per client key, with the client's own limits where its record sets them", async () => {
        const a = await newClient();
        const b = await newClient(mf, { burst: 2 });
        const burstA = await Promise.all(Array.from({ length: 8 }, (_, i) => post(mf, a.key, chatBody(`a ${i}`))));
        expect(burstA.filter((r) => r.status === 200)).toHaveLength(5);
        expect(burstA.filter((r) => r.status === 429)).toHaveLength(3);
        const limited = burstA.find((r) => r.status === 429)!;
        expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
        expect(await errorOf(limited)).toMatchObject({ type: "rate_limit_error", code: "rate_limit_exceeded" });
        const burstB = await Promise.all(Array.from({ length: 4 }, (_, i) => post(mf, b.key, chatBody(`b ${i}`))));
        expect(burstB.map((r) => r.status).sort()).toEqual([200, 200, 429, 429]);
    });
});

describe("fault injection: what the client gets", () => {
    it.each<[string, Behaviour, Behaviour, number, string | null]>([
        ["primary dead", "dead", "ok", 200, "anthropic"],
        ["primary hanging past its timeout", "hang", "ok", 200, "anthropic"],
        ["primary 500", "fail", "ok", 200, "anthropic"],
        ["primary 429", "limited", "ok", 200, "anthropic"],
        ["primary refusing our key (401)", "unauthorized", "ok", 200, "anthropic"],
        ["primary answering malformed JSON", "garbage", "ok", 200, "anthropic"],
        ["primary answering an empty 200", "empty", "ok", 200, "anthropic"],
        ["both down", "dead", "fail", 503, null],
        ["both rate limiting", "limited", "limited", 429, null],
        ["both refusing our keys", "unauthorized", "unauthorized", 503, null],
    ])("%s", async (_, primary, secondary, status, provider) => {
        openai.behaviour = primary;
        anthropic.behaviour = secondary;
        const on = primary === "hang" ? hasty() : mf;
        const { key } = await newClient(on);
        const response = await post(on, key, chatBody(`fault ${primary} ${secondary}`));
        expect(response.status).toBe(status);
        const text = await response.text();
        expect(text).not.toContain(UPSTREAM_SECRET_IN_401);
        if (status === 200) {
            expect(response.headers.get("x-provider")).toBe(provider);
            expect(JSON.parse(text).choices[0].message.content).toBe(`hello from ${provider}`);
            return;
        }
        expect(JSON.parse(text).error.type).toBe(status === 429 ? "rate_limit_error" : "server_error");
        // Retry-After: the upstreams' own when they all rate limit, the gateway's otherwise.
        expect(response.headers.get("retry-after")).toBe(status === 429 ? "7" : "5");
    });

    it("passes a provider's 400 on as the client's error, without failing over", async () => {
        openai.behaviour = "refuse";
        const { key } = await newClient();
        const response = await post(mf, key, chatBody("bad request"));
        expect(response.status).toBe(400);
        expect(await errorOf(response)).toMatchObject({ type: "invalid_request_error", message: "openai: Invalid value for 'messages'" });
        expect(anthropic.calls).toBe(0);
    });

    it("sends requests with tools only to OpenAI-shaped providers, and says so when none can answer", async () => {
        openai.behaviour = "fail";
        const { key } = await newClient();
        const response = await post(
            mf,
            key,
            chatBody("use a tool", { tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object" } } }] }),
        );
        expect(response.status).toBe(503);
        expect((await errorOf(response)).message).toContain("anthropic: skipped: the request uses tools");
        expect(anthropic.calls).toBe(0);
    });

    it("answers 150 concurrent requests with healthy providers, none refused for load", async () => {
        openai.latencyMs = 50;
        const { key } = await newClient(mf, { burst: 1000, maxRequests: 100_000 });
        const responses = await Promise.all(Array.from({ length: 150 }, (_, i) => post(mf, key, chatBody(`concurrent ${i}`))));
        expect(responses.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
    });
});

describe("cache", () => {
    const deterministic = (text: string, extra: Record<string, unknown> = {}) => chatBody(text, { temperature: 0, ...extra });

    it("caches deterministic answers per client: temperature 0, one choice, not streamed", async () => {
        const a = await newClient(mf, { burst: 100 });
        const b = await newClient();
        const cacheHeader = async (key: string, body: string) => (await post(mf, key, body)).headers.get("x-cache");
        expect(await cacheHeader(a.key, deterministic("what is 2+2"))).toBe("MISS");
        expect(await cacheHeader(a.key, deterministic("what is 2+2"))).toBe("HIT");
        expect(callsAsking(openai, "what is 2+2")).toBe(1);
        expect(await cacheHeader(b.key, deterministic("what is 2+2"))).toBe("MISS");
        // Everything that changes the answer is in the key.
        for (const extra of [
            { max_tokens: 10 },
            { seed: 7 },
            { stop: ["\n"] },
            { model: "gpt-other" },
            { tools: [{ type: "function", function: { name: "f", parameters: {} } }] },
        ]) {
            expect(await cacheHeader(a.key, deterministic("what is 2+2", extra))).toBe("MISS");
        }
        // Sampled answers are not cached.
        expect(await cacheHeader(a.key, chatBody("tell me a story"))).toBe("BYPASS");
        expect(await cacheHeader(a.key, chatBody("tell me a story"))).toBe("BYPASS");
        expect(await cacheHeader(a.key, chatBody("tell me a story", { temperature: 0.7 }))).toBe("BYPASS");
    });

    it("never caches a stream", async () => {
        const { key } = await newClient();
        for (let i = 0; i < 2; i++) {
            const response = await post(mf, key, deterministic("stream it", { stream: true }));
            expect([response.headers.get("content-type"), response.headers.get("x-cache")]).toEqual([
                "text/event-stream; charset=utf-8",
                "BYPASS",
            ]);
            expect(await response.text()).toContain("data: [DONE]");
        }
        expect(callsAsking(openai, "stream it")).toBe(2);
    });

    it("makes one upstream call for identical concurrent misses", async () => {
        openai.latencyMs = 200;
        const { key } = await newClient(mf, { burst: 100 });
        const responses = await Promise.all(Array.from({ length: 6 }, () => post(mf, key, deterministic("asked six times at once"))));
        expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
        expect(responses.map((r) => r.headers.get("x-cache")).sort()).toEqual(["MISS", "SHARED", "SHARED", "SHARED", "SHARED", "SHARED"]);
        expect(callsAsking(openai, "asked six times at once")).toBe(1);
    });

    it.each<[Behaviour]>([["empty"], ["garbage"]])("never caches a failed (%s) answer", async (behaviour) => {
        openai.behaviour = behaviour;
        anthropic.behaviour = behaviour;
        const { key } = await newClient();
        expect((await post(mf, key, deterministic(`${behaviour} answers`))).status).toBe(503);
        openai.behaviour = "ok";
        anthropic.behaviour = "ok";
        expect((await post(mf, key, deterministic(`${behaviour} answers`))).headers.get("x-cache")).toBe("MISS");
    });

    it("answers even when the cache cannot take the answer (over KV's value limit)", async () => {
        openai.behaviour = "huge";
        const { key } = await newClient();
        const response = await post(mf, key, deterministic("a very long answer"));
        expect([response.status, response.headers.get("x-provider"), response.headers.get("x-cache")]).toEqual([200, "openai", "MISS"]);
        expect(((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content.length).toBe(
            26 * 1024 * 1024,
        );
    });
});

describe("bounds, refused before a rate-limit token is spent", () => {
    const messages = (list: Array<{ role: string; content: string }>, extra: Record<string, unknown> = {}) =>
        JSON.stringify({ model: "auto", messages: list, ...extra });
    const user = [{ role: "user", content: "hi" }];
    let key: string;
    beforeAll(async () => ({ key } = await newClient()));
    const send = (body: string, headers?: Record<string, string>) => post(mf, key, body, headers);

    it.each([
        ["a body that is not JSON-typed", () => send(messages(user), { "content-type": "text/plain" }), 415, "application/json"],
        ["a body over 1 MiB", () => send(messages([{ role: "user", content: "x".repeat(1024 * 1024) }])), 413, "larger than 1048576 bytes"],
        ["a body that is not JSON", () => send("{not json"), 400, "not valid JSON"],
        ["no user message", () => send(messages([{ role: "system", content: "be brief" }])), 400, "needs a user message"],
        ["no model", () => send(JSON.stringify({ messages: user })), 400, "model is required"],
        [
            "too many messages",
            () => send(messages(Array.from({ length: 257 }, () => ({ role: "user", content: "hi" })))),
            400,
            "at most 256 messages",
        ],
        [
            "a message too long",
            () => send(messages([{ role: "user", content: "x".repeat(32 * 1024 + 1) }])),
            400,
            "longer than 32768 characters",
        ],
        [
            "max_tokens above the ceiling",
            () => send(messages(user, { max_tokens: 100_000 })),
            400,
            "max_tokens must be a whole number from 1 to 4096",
        ],
        ["a fraction of a token", () => send(messages(user, { max_tokens: 1.5 })), 400, "max_tokens must be a whole number from 1 to 4096"],
        [
            "a bad max_tokens beside a good max_completion_tokens",
            () => send(messages(user, { max_completion_tokens: 10, max_tokens: 1.5 })),
            400,
            "max_tokens must be a whole number from 1 to 4096",
        ],
        ["more than one choice", () => send(messages(user, { n: 2 })), 400, "n must be a whole number from 1 to 1"],
        ["a parameter the gateway does not pass on", () => send(messages(user, { functions: [] })), 400, "unsupported parameter functions"],
    ])("%s", async (_, request, status, message) => {
        const response = await request();
        expect(response.status).toBe(status);
        expect(await errorOf(response)).toMatchObject({ type: "invalid_request_error", message: expect.stringContaining(message) });
    });

    it("spends no token on refused requests: the client's burst is intact", async () => {
        const { key: fresh } = await newClient();
        for (let i = 0; i < 8; i++) expect((await post(mf, fresh, messages([{ role: "system", content: "no user" }]))).status).toBe(400);
        const ok = await Promise.all(
            Array.from({ length: 5 }, (_, i) => post(mf, fresh, messages([{ role: "user", content: `burst ${i} after refusals` }]))),
        );
        expect(ok.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    });
});

describe("health", () => {
    it("reports status, version, environment, every dependency and each provider's state", async () => {
        // Both providers answer once, so what earlier tests did to them is behind us.
        const { key } = await newClient();
        expect((await post(mf, key, chatBody("health: openai answers"))).headers.get("x-provider")).toBe("openai");
        openai.behaviour = "fail";
        expect((await post(mf, key, chatBody("health: anthropic answers"))).headers.get("x-provider")).toBe("anthropic");
        openai.behaviour = "ok";
        const chatCalls = openai.calls + anthropic.calls;
        const response = await mf.dispatchFetch("https://gateway.test/health");
        expect(response.status).toBe(200);
        const body = (await response.json()) as { checkedAt: string; providers: Record<string, { state: string }> };
        expect(body).toMatchObject({
            status: "ok",
            version: "test-version",
            environment: "test",
            dependencies: { kv: { state: "ok" }, r2: { state: "ok" }, rateLimiter: { state: "ok" } },
            problems: [],
        });
        expect(Object.fromEntries(Object.entries(body.providers).map(([p, s]) => [p, s.state]))).toEqual({
            openai: "closed",
            anthropic: "closed",
        });
        // Each provider was asked for its models list, never a completion (no tokens spent), and says how long it took.
        expect(body.providers["openai"]).toMatchObject({ probe: { state: "ok", status: 200, ms: expect.any(Number) } });
        expect(body.providers["anthropic"]).toMatchObject({ probe: { state: "ok", status: 200 } });
        expect(openai.calls + anthropic.calls).toBe(chatCalls);
        const head = await mf.dispatchFetch("https://gateway.test/health", { method: "HEAD" });
        expect([head.status, await head.text()]).toEqual([200, ""]);
    });
});

it("proxies every other path to the origin, and only to the origin", async () => {
    const response = await mf.dispatchFetch("https://gateway.test/orders/42?x=1");
    expect(await response.text()).toBe("origin saw GET /orders/42?x=1");
    // A path that reads as a protocol-relative URL stays a path on the origin.
    const sneaky = await mf.dispatchFetch("https://gateway.test//other-host.example/x?y=2");
    expect(await sneaky.text()).toBe("origin saw GET //other-host.example/x?y=2");
});

describe("misconfigured: a provider without a key, an unknown provider, the origin unreachable", () => {
    let broken: Miniflare;
    beforeAll(
        () =>
            void (broken = gateway({
                ANTHROPIC_API_KEY: undefined,
                PROVIDER_ORDER: "openai,anthropic,mistral",
                ORIGIN_URL: "http://127.0.0.1:9",
            })),
    );
    afterAll(() => broken.dispose());

    it("/health reports the missing key and the unknown provider as degraded (503)", async () => {
        const response = await broken.dispatchFetch("https://gateway.test/health");
        expect(response.status).toBe(503);
        const body = (await response.json()) as { status: string; problems: string[] };
        expect(body.status).toBe("degraded");
        expect(body.problems).toEqual(["provider anthropic has no API key binding", 'PROVIDER_ORDER names unknown provider "mistral"']);
    });

    it("/health reads PROVIDER_ORDER=constructor as an unknown provider, not as an inherited property", async () => {
        const odd = gateway({ PROVIDER_ORDER: "openai,constructor" });
        try {
            const body = (await (await odd.dispatchFetch("https://gateway.test/health")).json()) as { problems: string[] };
            expect(body.problems).toEqual(['PROVIDER_ORDER names unknown provider "constructor"']);
        } finally {
            await odd.dispose();
        }
    });

    it("/health names a provider whose URL or model is invalid, instead of failing over on network errors", async () => {
        const bad = gateway({ OPENAI_URL: "api.openai.com/v1/chat/completions", ANTHROPIC_MODEL: " " });
        try {
            const response = await bad.dispatchFetch("https://gateway.test/health");
            expect(response.status).toBe(503);
            const body = (await response.json()) as { problems: string[]; providers: Record<string, { state: string; reason?: string }> };
            expect(body.problems).toEqual([
                'OPENAI_URL must be an http(s) URL, got "api.openai.com/v1/chat/completions"',
                'ANTHROPIC_MODEL must name a model, got " "',
                "no provider can serve: each is misconfigured, unreachable or its circuit is open",
            ]);
            expect(body.providers).toEqual({
                openai: { state: "misconfigured", reason: 'OPENAI_URL must be an http(s) URL, got "api.openai.com/v1/chat/completions"' },
                anthropic: { state: "misconfigured", reason: 'ANTHROPIC_MODEL must name a model, got " "' },
            });
        } finally {
            await bad.dispose();
        }
    });

    it("answers JSON when something breaks (the origin unreachable), with no internals", async () => {
        const response = await broken.dispatchFetch("https://gateway.test/anything");
        expect(response.status).toBe(500);
        expect(response.headers.get("content-type")).toContain("application/json");
        expect(await response.json()).toEqual({
            error: { message: "internal error", type: "server_error", param: null, code: "internal_error" },
        });
    });
});

describe("circuit breaker and misconfigured keys", () => {
    let breakerMf: Miniflare;
    let key: string;
    const health = async () =>
        (await (await breakerMf.dispatchFetch("https://gateway.test/health")).json()) as {
            status: string;
            providers: Record<string, { state: string; circuit?: string; reason?: string }>;
            problems: string[];
        };
    /** Each provider's circuit, as /health shows it beside the provider's state. */
    const states = async () => Object.fromEntries(Object.entries((await health()).providers).map(([p, s]) => [p, s.circuit]));
    const ask = (text: string) => post(breakerMf, key, chatBody(text));
    /** Each test's own instance, so its circuits are its own; an open circuit stays open for the whole test unless `overrides` says otherwise. */
    async function breaker(overrides: Record<string, string> = {}): Promise<void> {
        breakerMf = gateway({
            ...HASTY,
            CIRCUIT_FAILURES: "2",
            CIRCUIT_OPEN_MS: "600000",
            RATE_LIMIT_BURST: "100",
            RATE_LIMIT_MAX_REQUESTS: "100",
            ...overrides,
        });
        ({ key } = await newClient(breakerMf));
    }
    afterEach(() => breakerMf.dispose());

    it("skips a hanging provider once its circuit opens: a timeout counts as a failure, two in a row open it", async () => {
        await breaker();
        openai.behaviour = "fail";
        expect((await ask("fails once")).headers.get("x-provider")).toBe("anthropic");
        expect(await states()).toEqual({ openai: "closed", anthropic: "closed" });
        openai.behaviour = "hang";
        expect((await ask("then hangs")).headers.get("x-provider")).toBe("anthropic");
        const callsWhenOpen = openai.calls;
        const skipped = await ask("skip the hanging one");
        expect([skipped.status, skipped.headers.get("x-provider"), openai.calls]).toEqual([200, "anthropic", callsWhenOpen]);
        expect(await states()).toEqual({ openai: "open", anthropic: "closed" });
    });

    it("lets one request probe the provider once the open period is over, and closes the circuit when it answers", async () => {
        await breaker({ CIRCUIT_OPEN_MS: "1" });
        openai.behaviour = "fail";
        for (let i = 0; i < 2; i++) expect((await ask(`fail ${i}`)).headers.get("x-provider")).toBe("anthropic");
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(await states()).toEqual({ openai: "half-open", anthropic: "closed" });
        openai.behaviour = "ok";
        const callsBefore = openai.calls;
        const probed = await ask("probe after the open period");
        expect([probed.headers.get("x-provider"), openai.calls]).toEqual(["openai", callsBefore + 1]);
        expect(await states()).toEqual({ openai: "closed", anthropic: "closed" });
    });

    it("answers 503 at once with Retry-After while every circuit is open, and /health says no provider can serve", async () => {
        await breaker();
        openai.behaviour = "fail";
        anthropic.behaviour = "fail";
        for (let i = 0; i < 2; i++) expect((await ask(`down ${i}`)).status).toBe(503);
        const calls = openai.calls + anthropic.calls;
        const open = await ask("nobody to ask");
        expect([open.status, openai.calls + anthropic.calls]).toEqual([503, calls]);
        expect(Number(open.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
        const h = await health();
        expect([h.status, h.problems]).toEqual([
            "degraded",
            ["no provider can serve: each is misconfigured, unreachable or its circuit is open"],
        ]);
    });

    it("marks a provider whose key is refused misconfigured in /health until it answers again", async () => {
        await breaker();
        openai.behaviour = "unauthorized";
        expect((await ask("our key is wrong")).headers.get("x-provider")).toBe("anthropic");
        expect((await health()).providers["openai"]).toMatchObject({
            state: "misconfigured",
            reason: "the provider refused our key (status 401)",
        });
        openai.behaviour = "ok";
        expect((await ask("our key works again")).headers.get("x-provider")).toBe("openai");
        expect((await health()).providers["openai"]).toMatchObject({ state: "closed" });
        expect((await health()).problems).toEqual([]);
        openai.behaviour = "unauthorized";
        anthropic.behaviour = "unauthorized";
        await ask("both keys wrong");
        const h = await health();
        expect(h.status).toBe("degraded");
        expect(JSON.stringify(h)).not.toContain(UPSTREAM_SECRET_IN_401);
    });
});

it("gives the second provider only what is left of the request's deadline", async () => {
    const { key } = await newClient(hasty());
    openai.behaviour = "hang";
    anthropic.behaviour = "hang";
    const { message } = await errorOf(await post(hasty(), key, chatBody("both hang")));
    const [first, second] = [...message.matchAll(/timeout after (\d+) ms/g)].map((m) => Number(m[1]));
    expect(first).toBe(Number(HASTY.PROVIDER_TIMEOUT_MS));
    expect(second).toBeGreaterThan(0);
    expect(second).toBeLessThanOrEqual(Number(HASTY.REQUEST_DEADLINE_MS) - Number(HASTY.PROVIDER_TIMEOUT_MS));
});

describe("scheduled KV backup", () => {
    it("exports the namespaces in KV_BACKUP_BINDINGS (STATE, not CACHE) to R2 and prunes exports past the retention", async () => {
        const backups = await mf.getR2Bucket("BACKUPS");
        await (await mf.getKVNamespace("STATE")).put("feature-flags", '{"beta":true}', { metadata: { owner: "ops" } });
        await backups.put("kv-backups/STATE/2026-10-01T03-00-00Z.ndjson.gz", "old");
        await backups.put("kv-backups/STATE/2026-11-10T03-00-00Z.ndjson.gz", "recent");

        await (await mf.getWorker()).scheduled({ scheduledTime: new Date("2026-11-23T03:00:00Z"), cron: "0 3 * * *" });

        // By head: reading a listed R2Object's properties through miniflare's proxy is a synchronous
        // call back into workerd, which failed once under a loaded CI machine.
        const present = async (key: string) => (await backups.head(key)) !== null;
        expect(
            await Promise.all(
                [
                    "kv-backups/STATE/2026-10-01T03-00-00Z.ndjson.gz",
                    "kv-backups/STATE/2026-11-10T03-00-00Z.ndjson.gz",
                    "kv-backups/STATE/2026-11-23T03-00-00Z.ndjson.gz",
                    "kv-backups/CACHE/2026-11-23T03-00-00Z.ndjson.gz",
                ].map(present),
            ),
        ).toEqual([false, true, true, false]);
        const object = await backups.get("kv-backups/STATE/2026-11-23T03-00-00Z.ndjson.gz");
        const lines = gunzipSync(Buffer.from(await object!.arrayBuffer()))
            .toString("utf8")
            .trimEnd()
            .split("\n")
            .map((l) => JSON.parse(l));
        expect(lines[0]).toEqual({ format: "ops-platform-kv-export/2", binding: "STATE", exportedAt: "2026-11-23T03:00:00.000Z" });
        expect(lines).toContainEqual({ key: "feature-flags", value: '{"beta":true}', metadata: { owner: "ops" } });
        expect(lines.at(-1)).toEqual({ complete: true, entries: lines.length - 2 });
    });
});
