/**
 * The gateway bundle running in workerd (through miniflare) with real KV, R2, Durable Objects
 * and cron, and the AI providers stubbed on 127.0.0.1.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import type { Miniflare } from "miniflare";
import { gatewayInWorkerd } from "../../tools/gatewayWorkerd";

type Behaviour = "ok" | "fail" | "hang" | "refuse" | "unauthorized" | "limited" | "empty" | "garbage" | "huge";

class StubProvider {
    behaviour: Behaviour = "ok";
    calls = 0;
    private readonly server: Server;
    private readonly hanging: ServerResponse[] = [];

    constructor(private readonly shape: "openai" | "anthropic") {
        this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
            this.calls++;
            req.resume();
            if (this.behaviour === "hang") return void this.hanging.push(res);
            if (this.behaviour === "fail") return void res.writeHead(500).end("upstream broke");
            if (this.behaviour === "refuse") return void res.writeHead(400, { "content-type": "application/json" }).end('{"error":"bad request"}');
            if (this.behaviour === "empty") return void res.writeHead(200, { "content-type": "application/json" }).end(this.shape === "openai" ? '{"choices":[{"message":{"content":null}}]}' : '{"content":[]}');
            if (this.behaviour === "garbage") return void res.writeHead(200, { "content-type": "application/json" }).end("<html>oops</html>");
            if (this.behaviour === "huge") return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ choices: [{ message: { content: "x".repeat(26 * 1024 * 1024) } }] }));
            if (this.behaviour === "limited") return void res.writeHead(429, { "content-type": "application/json", "retry-after": "7" }).end('{"error":"slow down"}');
            if (this.behaviour === "unauthorized") return void res.writeHead(401, { "content-type": "application/json" }).end('{"error":{"message":"Incorrect API key provided: sk-test-secret"}}');
            const body = this.shape === "openai" ? { choices: [{ message: { content: "hello from openai" } }] } : { content: [{ type: "text", text: "hello from anthropic" }] };
            res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
        });
    }

    async start(): Promise<string> {
        await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
        return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    }

    async stop(): Promise<void> {
        this.hanging.forEach((r) => r.destroy());
        await new Promise((resolve) => this.server.close(resolve));
    }
}

const openai = new StubProvider("openai");
const anthropic = new StubProvider("anthropic");
const origin = createServer((req, res) => res.writeHead(200, { "content-type": "text/plain" }).end(`origin saw ${req.method} ${req.url}`));
let urls: { openai: string; anthropic: string; origin: string };

const VARS = {
    ENVIRONMENT: "test",
    VERSION: "test-version",
    CACHE_SIZE: "100",
    CACHE_TTL_MS: "3600000",
    CACHE_CLEANUP_INTERVAL_MS: "300000",
    RATE_LIMIT_MAX_REQUESTS: "5",
    RATE_LIMIT_WINDOW_MS: "600000",
    RATE_LIMIT_BURST: "5",
    CONCURRENCY_MAX: "50",
    CONCURRENCY_MIN: "10",
    PROVIDER_ORDER: "openai,anthropic",
    REQUEST_DEADLINE_MS: "5000",
    // The shared instance never opens a circuit, so tests stay independent; the breaker has its own.
    CIRCUIT_FAILURES: "1000",
    CIRCUIT_OPEN_MS: "60000",
    PROVIDER_TIMEOUT_MS: "500",
    OPENAI_MODEL: "gpt-test",
    ANTHROPIC_MODEL: "claude-test",
    KV_BACKUP_BINDINGS: "CACHE,STATE",
    KV_BACKUP_PREFIX: "kv-backups/",
    KV_BACKUP_RETENTION_DAYS: "30",
    OPENAI_API_KEY: "test-openai-key",
    ANTHROPIC_API_KEY: "test-anthropic-key",
};

function gateway(overrides: Record<string, string | undefined> = {}): Miniflare {
    const bindings = Object.fromEntries(
        Object.entries({ ...VARS, OPENAI_URL: urls.openai, ANTHROPIC_URL: urls.anthropic, ORIGIN_URL: urls.origin, ...overrides }).filter((e): e is [string, string] => e[1] !== undefined),
    );
    return gatewayInWorkerd(bindings);
}

const chatBody = (text: string) => JSON.stringify({ messages: [{ role: "user", content: text }] });
const post = (mf: Miniflare, text: string, client = "198.51.100.1") =>
    mf.dispatchFetch("https://gateway.test/v1/chat", { method: "POST", body: chatBody(text), headers: { "content-type": "application/json", "cf-connecting-ip": client } });

let mf: Miniflare;

beforeAll(async () => {
    const o = await openai.start();
    const a = await anthropic.start();
    await new Promise<void>((resolve) => origin.listen(0, "127.0.0.1", resolve));
    urls = { openai: o, anthropic: a, origin: `http://127.0.0.1:${(origin.address() as AddressInfo).port}` };
    mf = gateway();
    await mf.ready;
});

afterAll(async () => {
    await mf.dispose();
    await Promise.all([openai.stop(), anthropic.stop(), new Promise((r) => origin.close(r))]);
});

beforeEach(() => {
    openai.behaviour = "ok";
    anthropic.behaviour = "ok";
    openai.calls = 0;
    anthropic.calls = 0;
});

describe("GET /health", () => {
    it("reports status, version, environment and every dependency", async () => {
        const response = await mf.dispatchFetch("https://gateway.test/health");
        expect(response.status).toBe(200);
        const body = (await response.json()) as { checkedAt: string };
        expect(body).toEqual({
            status: "ok",
            version: "test-version",
            environment: "test",
            checkedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
            dependencies: { kv: "ok", r2: "ok", rateLimiter: "ok", providers: { openai: "configured", anthropic: "configured" }, circuits: { openai: "closed", anthropic: "closed" } },
            problems: [],
        });
        const again = (await (await mf.dispatchFetch("https://gateway.test/health")).json()) as { checkedAt: string };
        expect(again.checkedAt).toBe(body.checkedAt);
    });

    it("reports a missing provider key and an unknown provider as degraded (503)", async () => {
        const broken = gateway({ ANTHROPIC_API_KEY: undefined, PROVIDER_ORDER: "openai,anthropic,mistral" });
        try {
            const response = await broken.dispatchFetch("https://gateway.test/health");
            expect(response.status).toBe(503);
            const body = (await response.json()) as { status: string; problems: string[] };
            expect(body.status).toBe("degraded");
            expect(body.problems).toEqual(["provider anthropic has no API key binding", 'PROVIDER_ORDER names unknown provider "mistral"']);
        } finally {
            await broken.dispose();
        }
    });
});

describe("POST /v1/chat", () => {
    it("answers from the first provider, then from the cache without calling it again", async () => {
        const first = await post(mf, "cache me", "198.51.100.10");
        expect(first.status).toBe(200);
        expect(first.headers.get("x-cache")).toBe("MISS");
        expect(await first.json()).toEqual({ provider: "openai", content: "hello from openai" });
        const second = await post(mf, "cache me", "198.51.100.10");
        expect(second.headers.get("x-cache")).toBe("HIT");
        expect(await second.json()).toEqual({ provider: "openai", content: "hello from openai" });
        expect(openai.calls).toBe(1);
        const stored = await (await mf.getKVNamespace("CACHE")).list({ prefix: "chat:" });
        expect(stored.keys.length).toBeGreaterThan(0);
    });

    it("fails over to the next provider when the first returns 500", async () => {
        openai.behaviour = "fail";
        const response = await post(mf, "failover on 500", "198.51.100.11");
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ provider: "anthropic", content: "hello from anthropic" });
        expect([openai.calls, anthropic.calls]).toEqual([1, 1]);
    });

    it("fails over when the first provider hangs past the timeout", async () => {
        openai.behaviour = "hang";
        const response = await post(mf, "failover on timeout", "198.51.100.12");
        expect(response.status).toBe(200);
        expect(response.headers.get("x-provider")).toBe("anthropic");
    });

    it("answers 503 with Retry-After only when every provider fails", async () => {
        openai.behaviour = "fail";
        anthropic.behaviour = "hang";
        const response = await post(mf, "both down", "198.51.100.13");
        expect(response.status).toBe(503);
        expect(response.headers.get("retry-after")).toMatch(/^\d+$/);
        expect(await response.json()).toEqual({
            error: "no provider could answer",
            attempts: [
                { provider: "openai", reason: "status 500" },
                { provider: "anthropic", reason: "timeout after 500 ms" },
            ],
        });
    });

    it("passes a provider's 4xx through without failing over", async () => {
        openai.behaviour = "refuse";
        const response = await post(mf, "bad request", "198.51.100.14");
        expect(response.status).toBe(400);
        expect(anthropic.calls).toBe(0);
    });

    it("fails over when our key is refused (401), and never shows the upstream's answer", async () => {
        openai.behaviour = "unauthorized";
        const response = await post(mf, "bad key", "198.51.100.16");
        expect(response.status).toBe(200);
        expect(response.headers.get("x-provider")).toBe("anthropic");
        openai.behaviour = "unauthorized";
        anthropic.behaviour = "unauthorized";
        const both = await post(mf, "both keys bad", "198.51.100.17");
        expect(both.status).toBe(503);
        const text = await both.text();
        expect(text).toContain("our key was refused (status 401)");
        expect(text).not.toContain("sk-test-secret");
    });

    it.each([["empty", "answered 200 with no content"], ["garbage", "answered 200 with a body that is not JSON"]] as const)("fails over on a %s 200, and never caches it", async (behaviour, reason) => {
        openai.behaviour = behaviour;
        anthropic.behaviour = behaviour;
        const failed = await post(mf, `${behaviour} answers`, "198.51.100.50");
        expect(failed.status).toBe(503);
        expect(JSON.stringify(await failed.json())).toContain(reason);
        openai.behaviour = "ok";
        anthropic.behaviour = "ok";
        const again = await post(mf, `${behaviour} answers`, "198.51.100.50");
        expect([again.status, again.headers.get("x-cache")]).toEqual([200, "MISS"]);
    });

    it("keeps each client's answers to that client", async () => {
        expect((await post(mf, "same question", "198.51.100.60")).headers.get("x-cache")).toBe("MISS");
        expect((await post(mf, "same question", "198.51.100.60")).headers.get("x-cache")).toBe("HIT");
        expect((await post(mf, "same question", "198.51.100.61")).headers.get("x-cache")).toBe("MISS");
    });

    it("answers even when the cache cannot take the answer (over KV's value limit)", async () => {
        // 26 MiB takes longer than the shared instance's 500 ms provider timeout on a busy machine.
        const patient = gateway({ PROVIDER_TIMEOUT_MS: "30000" });
        try {
            openai.behaviour = "huge";
            const response = await post(patient, "a very long answer", "198.51.100.62");
            expect([response.status, response.headers.get("x-provider")]).toEqual([200, "openai"]);
            expect(((await response.json()) as { content: string }).content.length).toBe(26 * 1024 * 1024);
        } finally {
            await patient.dispose();
        }
    });

    it("rejects a malformed body with 400", async () => {
        const response = await mf.dispatchFetch("https://gateway.test/v1/chat", { method: "POST", body: "{}", headers: { "content-type": "application/json", "cf-connecting-ip": "198.51.100.15" } });
        expect(response.status).toBe(400);
    });

    describe("bounds, refused before a rate-limit token is spent", () => {
        const send = (body: string, headers: Record<string, string> = { "content-type": "application/json" }) =>
            mf.dispatchFetch("https://gateway.test/v1/chat", { method: "POST", body, headers: { ...headers, "cf-connecting-ip": "198.51.100.40" } });
        const messages = (list: Array<{ role: string; content: string }>, extra: Record<string, unknown> = {}) => JSON.stringify({ messages: list, ...extra });

        it.each([
            ["a body that is not JSON-typed", () => send(messages([{ role: "user", content: "hi" }]), { "content-type": "text/plain" }), 415, "application/json"],
            ["a body over 1 MiB", () => send(messages([{ role: "user", content: "x".repeat(1024 * 1024) }])), 413, "larger than 1048576 bytes"],
            ["a body that is not JSON", () => send("{not json"), 400, "not valid JSON"],
            ["no user message", () => send(messages([{ role: "system", content: "be brief" }])), 400, "needs a user message"],
            ["too many messages", () => send(messages(Array.from({ length: 257 }, () => ({ role: "user", content: "hi" })))), 400, "at most 256 messages"],
            ["a message too long", () => send(messages([{ role: "user", content: "x".repeat(32 * 1024 + 1) }])), 400, "at most 32768 characters"],
            ["maxTokens above the ceiling", () => send(messages([{ role: "user", content: "hi" }], { maxTokens: 100_000 })), 400, "maxTokens at most 4096"],
        ])("%s", async (_, request, status, error) => {
            const response = await request();
            expect(response.status).toBe(status);
            expect(((await response.json()) as { error: string }).error).toContain(error);
        });

        it("spends no token on refused requests: the client's burst is intact", async () => {
            for (let i = 0; i < 8; i++) expect((await send(messages([{ role: "system", content: "no user" }]))).status).toBe(400);
            const ok = await Promise.all(Array.from({ length: 5 }, (_, i) => send(messages([{ role: "user", content: `burst ${i} after refusals` }]))));
            expect(ok.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
        });
    });

    it("admits exactly the burst size under concurrent requests, per client", async () => {
        const responses = await Promise.all(Array.from({ length: 12 }, (_, i) => post(mf, `burst ${i}`, "203.0.113.7")));
        const statuses = responses.map((r) => r.status);
        expect(statuses.filter((s) => s === 200)).toHaveLength(5);
        expect(statuses.filter((s) => s === 429)).toHaveLength(7);
        expect(responses.find((r) => r.status === 429)!.headers.get("retry-after")).toMatch(/^\d+$/);
        expect((await post(mf, "other client", "203.0.113.8")).status).toBe(200);
    });
});

it("proxies every other path to the origin, and only to the origin", async () => {
    const response = await mf.dispatchFetch("https://gateway.test/orders/42?x=1");
    expect(await response.text()).toBe("origin saw GET /orders/42?x=1");
    // A path that reads as a protocol-relative URL stays a path on the origin.
    const sneaky = await mf.dispatchFetch("https://gateway.test//other-host.example/x?y=2");
    expect(await sneaky.text()).toBe("origin saw GET //other-host.example/x?y=2");
});

it("answers HEAD /health with the status and no body", async () => {
    const response = await mf.dispatchFetch("https://gateway.test/health", { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
});

describe("scheduled KV backup", () => {
    it("exports every bound namespace to R2 as dated gzip JSON and prunes exports past the retention", async () => {
        const backups = await mf.getR2Bucket("BACKUPS");
        const state = await mf.getKVNamespace("STATE");
        await state.put("feature-flags", '{"beta":true}', { metadata: { owner: "ops" } });
        await backups.put("kv-backups/STATE/2026-10-01T03-00-00Z.json.gz", "old");
        await backups.put("kv-backups/STATE/2026-11-10T03-00-00Z.json.gz", "recent");

        const worker = await mf.getWorker();
        await worker.scheduled({ scheduledTime: new Date("2026-11-23T03:00:00Z"), cron: "0 3 * * *" });

        const keys = (await backups.list({ prefix: "kv-backups/" })).objects.map((o) => o.key).sort();
        expect(keys).toEqual([
            "kv-backups/CACHE/2026-11-23T03-00-00Z.json.gz",
            "kv-backups/STATE/2026-11-10T03-00-00Z.json.gz",
            "kv-backups/STATE/2026-11-23T03-00-00Z.json.gz",
        ]);
        const object = await backups.get("kv-backups/STATE/2026-11-23T03-00-00Z.json.gz");
        const exported = JSON.parse(gunzipSync(Buffer.from(await object!.arrayBuffer())).toString("utf8"));
        expect(exported).toEqual({ binding: "STATE", exportedAt: "2026-11-23T03:00:00.000Z", entries: [{ key: "feature-flags", value: '{"beta":true}', metadata: { owner: "ops" } }] });
    });
});

it("answers JSON when something breaks (the origin unreachable), with no internals", async () => {
    const broken = gateway({ ORIGIN_URL: "http://127.0.0.1:9" });
    try {
        const response = await broken.dispatchFetch("https://gateway.test/anything");
        expect(response.status).toBe(500);
        expect(response.headers.get("content-type")).toContain("application/json");
        expect(await response.json()).toEqual({ error: "internal error" });
    } finally {
        await broken.dispose();
    }
});

describe("circuit breaker and deadline", () => {
    let breakerMf: Miniflare;
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const health = async () => (await (await breakerMf.dispatchFetch("https://gateway.test/health")).json()) as { status: string; dependencies: { circuits: Record<string, string> }; problems: string[] };

    beforeEach(async () => {
        breakerMf = gateway({ CIRCUIT_FAILURES: "2", CIRCUIT_OPEN_MS: "400", RATE_LIMIT_BURST: "100", RATE_LIMIT_MAX_REQUESTS: "100" });
        await breakerMf.ready;
    });
    afterEach(() => breakerMf.dispose());

    it("skips a hanging provider once its circuit opens, and probes it again after the open period", async () => {
        openai.behaviour = "hang";
        for (let i = 0; i < 2; i++) expect((await post(breakerMf, `hang ${i}`, "192.0.2.1")).headers.get("x-provider")).toBe("anthropic");
        const callsWhenOpen = openai.calls;
        const skipped = await post(breakerMf, "skip the hanging one", "192.0.2.1");
        expect([skipped.status, skipped.headers.get("x-provider"), openai.calls]).toEqual([200, "anthropic", callsWhenOpen]);
        expect((await health()).dependencies.circuits).toEqual({ openai: "open", anthropic: "closed" });

        await sleep(500);
        openai.behaviour = "ok";
        const probed = await post(breakerMf, "probe after the open period", "192.0.2.1");
        expect([probed.headers.get("x-provider"), openai.calls]).toEqual(["openai", callsWhenOpen + 1]);
        expect((await health()).dependencies.circuits).toEqual({ openai: "closed", anthropic: "closed" });
    });

    it("answers 503 at once with Retry-After while every circuit is open, and /health says no provider can serve", async () => {
        openai.behaviour = "fail";
        anthropic.behaviour = "fail";
        for (let i = 0; i < 2; i++) expect((await post(breakerMf, `down ${i}`, "192.0.2.2")).status).toBe(503);
        const calls = openai.calls + anthropic.calls;
        const open = await post(breakerMf, "nobody to ask", "192.0.2.2");
        expect([open.status, openai.calls + anthropic.calls]).toEqual([503, calls]);
        expect(Number(open.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
        const h = await health();
        expect([h.status, h.problems]).toEqual(["degraded", ["every provider's circuit is open after repeated failures"]]);
    });

    it("answers 429 with the upstreams' Retry-After when every provider is rate limiting", async () => {
        openai.behaviour = "limited";
        anthropic.behaviour = "limited";
        const response = await post(breakerMf, "everyone busy", "192.0.2.3");
        expect([response.status, response.headers.get("retry-after")]).toEqual([429, "7"]);
    });

    it("gives the second provider only what is left of the request's deadline", async () => {
        const tight = gateway({ REQUEST_DEADLINE_MS: "700", PROVIDER_TIMEOUT_MS: "500" });
        try {
            openai.behaviour = "hang";
            anthropic.behaviour = "hang";
            const body = (await (await post(tight, "both hang", "192.0.2.4")).json()) as { attempts: Array<{ provider: string; reason: string }> };
            const [first, second] = body.attempts.map((a) => Number(/timeout after (\d+) ms/.exec(a.reason)?.[1]));
            expect(first).toBe(500);
            expect(second).toBeLessThan(500);
        } finally {
            await tight.dispose();
        }
    });
});
