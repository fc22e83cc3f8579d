/**
 * `npm run keys` against a stand-in for Cloudflare's KV REST API and Analytics Engine SQL API
 * on 127.0.0.1, and the keys it makes used by the gateway in workerd with the records exactly as
 * the API received them.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { defaultGatewayBindings, gatewayInWorkerd } from "../../tools/gatewayWorkerd";
import { FakeProvider } from "../../tools/fakeProviders";
import { runToolAsync } from "../helpers/cli";

const ACCOUNT = "0123456789abcdef0123456789abcdef"; // Pulumi.dev.yaml's
const NAMESPACE = "state-namespace-id";
const TOKEN = "cf-test-token";

/** Workers KV's REST endpoints for values and keys, and the Analytics Engine SQL API, as the API documents them; one namespace. */
class FakeKvApi {
    readonly store = new Map<string, { value: string; metadata: unknown }>();
    /** The SQL API's rows (counts as strings, as ClickHouse's JSON quotes 64-bit integers) and the queries it got. */
    sqlRows: unknown[] = [];
    readonly queries: string[] = [];
    private readonly server: Server;
    private requests = 0;

    constructor() {
        this.server = createServer(
            (req, res) =>
                void this.handle(req).then(([status, body]) =>
                    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body)),
                ),
        );
    }

    private async handle(req: IncomingMessage): Promise<[number, unknown]> {
        if (++this.requests > 200) return [429, { success: false, errors: [{ message: "test request budget spent" }] }];
        if (req.headers.authorization !== `Bearer ${TOKEN}`)
            return [403, { success: false, errors: [{ message: "Authentication error" }] }];
        const url = new URL(req.url!, "http://x");
        if (req.method === "POST" && url.pathname === `/client/v4/accounts/${ACCOUNT}/analytics_engine/sql`) {
            let sql = "";
            for await (const c of req) sql += (c as Buffer).toString("utf8");
            this.queries.push(sql);
            return [200, { meta: [], data: this.sqlRows, rows: this.sqlRows.length }];
        }
        const base = `/client/v4/accounts/${ACCOUNT}/storage/kv/namespaces/${NAMESPACE}`;
        if (!url.pathname.startsWith(base)) return [404, { success: false, errors: [{ message: "not found" }] }];
        const path = url.pathname.slice(base.length);
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        if (req.method === "PUT" && path.startsWith("/values/")) {
            const form = await new Request("http://x", {
                method: "PUT",
                headers: { "content-type": req.headers["content-type"]! },
                body: Buffer.concat(chunks),
            }).formData();
            this.store.set(decodeURIComponent(path.slice(8)), {
                value: String(form.get("value")),
                metadata: JSON.parse(String(form.get("metadata"))),
            });
            return [200, { success: true, result: {} }];
        }
        if (req.method === "GET" && path.startsWith("/values/")) {
            const stored = this.store.get(decodeURIComponent(path.slice(8)));
            // The value endpoint answers the raw value, not the API's JSON envelope.
            return stored ? [200, JSON.parse(stored.value)] : [404, { success: false, errors: [{ message: "key not found" }] }];
        }
        if (req.method === "DELETE" && path.startsWith("/values/")) {
            this.store.delete(decodeURIComponent(path.slice(8)));
            return [200, { success: true, result: {} }];
        }
        if (req.method === "GET" && path === "/keys") {
            const prefix = url.searchParams.get("prefix") ?? "";
            const result = [...this.store].filter(([name]) => name.startsWith(prefix)).map(([name, { metadata }]) => ({ name, metadata }));
            return [200, { success: true, result, result_info: { count: result.length, cursor: "" } }];
        }
        return [405, { success: false, errors: [{ message: "method not allowed" }] }];
    }

    async start(): Promise<string> {
        await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
        return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/client/v4`;
    }

    stop(): Promise<unknown> {
        return new Promise((resolve) => this.server.close(resolve));
    }
}

const api = new FakeKvApi();
let env: Record<string, string>;
const keys = (args: string[], overrides: Record<string, string | undefined> = {}) =>
    runToolAsync("apiKeys", [...args, "--namespace-id", NAMESPACE], { ...env, ...overrides });

beforeAll(async () => {
    env = { CLOUDFLARE_API_TOKEN: TOKEN, CLOUDFLARE_API_BASE_URL: await api.start() };
});
afterAll(() => api.stop());

it("adds a key stored only as its hash, which the gateway accepts; lists clients; revokes", async () => {
    const added = await keys(["add", "dev", "billing-service", "--burst", "20"]);
    expect(added.status).toBe(0);
    const key = added.stdout.trim();
    expect(key).toMatch(/^gw-[A-Za-z0-9_-]{43}$/);
    const name = `apikey:${createHash("sha256").update(key).digest("hex")}`;
    expect([...api.store.keys()]).toEqual([name]);
    const record = api.store.get(name)!;
    expect(JSON.parse(record.value)).toEqual({ client: "billing-service", rateLimit: { burst: 20 } });
    expect(JSON.stringify(record) + added.stderr).not.toContain(key);

    const listed = await keys(["list", "dev"]);
    expect(listed.stdout).toMatch(new RegExp(`^billing-service\\t${name.slice(7, 19)}\\.\\.\\.\\t\\d{4}-`));

    // The gateway, given the record as the API stored it, serves the key and refuses others.
    const upstream = new FakeProvider("openai");
    const mf = gatewayInWorkerd(
        defaultGatewayBindings("test", { PROVIDER_ORDER: "openai", OPENAI_URL: await upstream.start(), ANTHROPIC_API_KEY: undefined }),
    );
    try {
        await (await mf.getKVNamespace("STATE")).put(name, record.value, { metadata: record.metadata });
        const ask = (bearer: string) =>
            mf.dispatchFetch("https://gateway.test/v1/chat/completions", {
                method: "POST",
                headers: { "content-type": "application/json", authorization: `Bearer ${bearer}` },
                body: JSON.stringify({ model: "auto", messages: [{ role: "user", content: "hi" }] }),
            });
        expect((await ask(key)).status).toBe(200);
        expect((await ask(`${key}x`)).status).toBe(401);
    } finally {
        await mf.dispose();
        await upstream.stop();
    }

    const revoked = await keys(["revoke", "dev", "billing-service"]);
    expect([revoked.status, api.store.size]).toEqual([0, 0]);
    expect(revoked.stderr).toContain("revoked 1 key(s) of billing-service");
});

/** The records of a client's keys as stored, newest last. */
const recordsOf = (client: string) =>
    [...api.store.values()]
        .filter((r) => (r.metadata as { client?: string }).client === client)
        .map((r) => JSON.parse(r.value) as Record<string, unknown>);

it("sets limits on every key of a client, keeping the ones it does not name", async () => {
    expect((await keys(["add", "dev", "search-service", "--burst", "5"])).status).toBe(0);
    const limited = await keys(["limit", "dev", "search-service", "--monthly-usd", "50", "--models", "gpt-4o-mini, claude-sonnet-4-5"]);
    expect(limited.status).toBe(0);
    expect(recordsOf("search-service")).toEqual([
        { client: "search-service", rateLimit: { burst: 5 }, monthlyBudget: { usd: 50 }, models: ["gpt-4o-mini", "claude-sonnet-4-5"] },
    ]);
    // Field by field: a request rate and a token budget keep what they had.
    expect((await keys(["limit", "dev", "search-service", "--max-requests", "600", "--monthly-tokens", "1000000"])).status).toBe(0);
    expect(recordsOf("search-service")[0]).toMatchObject({
        rateLimit: { burst: 5, maxRequests: 600 },
        monthlyBudget: { usd: 50, tokens: 1000000 },
    });
    expect((await keys(["list", "dev"])).stdout).toContain(
        'requests {"burst":5,"maxRequests":600}; 1000000 tokens/month; $50/month; models gpt-4o-mini,claude-sonnet-4-5',
    );
    await keys(["revoke", "dev", "search-service"]);
});

it("rotates a key with an overlap: the new key keeps the limits, the old one expires when the overlap ends, both work until then", async () => {
    const old = (await keys(["add", "dev", "report-service", "--tokens-per-minute", "1000"])).stdout.trim();
    const started = Date.now();
    const rotated = await keys(["rotate", "dev", "report-service", "--overlap", "2h"]);
    expect(rotated.status).toBe(0);
    const fresh = rotated.stdout.trim();
    expect(fresh).toMatch(/^gw-/);
    expect(fresh).not.toBe(old);
    const byKey = (key: string) =>
        JSON.parse(api.store.get(`apikey:${createHash("sha256").update(key).digest("hex")}`)!.value) as Record<string, unknown>;
    expect(byKey(fresh)).toEqual({ client: "report-service", tokensPerMinute: 1000 });
    const oldExpiry = Date.parse(String(byKey(old)["expiresAt"]));
    expect(oldExpiry - started).toBeGreaterThanOrEqual(2 * 3_600_000 - 1_000);
    expect(oldExpiry - started).toBeLessThanOrEqual(2 * 3_600_000 + 60_000);
    expect(rotated.stderr).toContain("old key(s) work until");

    const upstream = new FakeProvider("openai");
    const mf = gatewayInWorkerd(
        defaultGatewayBindings("test", { PROVIDER_ORDER: "openai", OPENAI_URL: await upstream.start(), ANTHROPIC_API_KEY: undefined }),
    );
    try {
        const state = await mf.getKVNamespace("STATE");
        for (const [name, { value, metadata }] of api.store) await state.put(name, value, { metadata });
        const ask = (bearer: string) =>
            mf.dispatchFetch("https://gateway.test/v1/chat/completions", {
                method: "POST",
                headers: { "content-type": "application/json", authorization: `Bearer ${bearer}` },
                body: JSON.stringify({ model: "auto", messages: [{ role: "user", content: "hi" }] }),
            });
        expect([(await ask(old)).status, (await ask(fresh)).status]).toEqual([200, 200]);
    } finally {
        await mf.dispose();
        await upstream.stop();
    }
    await keys(["revoke", "dev", "report-service"]);
});

it("shows each client's month of tokens and cost against its budget, from the SQL API", async () => {
    await keys(["add", "dev", "chat-service", "--monthly-usd", "20", "--monthly-tokens", "100000"]);
    api.sqlRows = [{ client: "chat-service", tokens: "25000", usd: 5 }];
    const usage = await keys(["usage", "dev", "--month", "2026-11", "--dataset", "gateway_dev"]);
    expect(usage.status).toBe(0);
    expect(usage.stdout).toContain("chat-service\t25000\t5.0000\t25% of 100000 tokens, 25% of $20");
    const sql = api.queries.at(-1)!;
    expect(sql).toContain("FROM gateway_dev");
    expect(sql).toContain("timestamp >= toDateTime('2026-11-01 00:00:00') AND timestamp < toDateTime('2026-12-01 00:00:00')");
    expect(sql).toContain("_sample_interval");
    await keys(["revoke", "dev", "chat-service"]);
});

const REFUSALS: Array<[string, string[], Record<string, string | undefined>, string]> = [
    ["no token", ["add", "dev", "svc"], { CLOUDFLARE_API_TOKEN: undefined }, "CLOUDFLARE_API_TOKEN is not set"],
    ["a token the API refuses", ["list", "dev"], { CLOUDFLARE_API_TOKEN: "wrong" }, "403 Authentication error"],
    ["a client name with a space", ["add", "dev", "my client"], {}, 'client "my client": expected up to 64 letters'],
    ["a limit that is not a positive number", ["add", "dev", "svc", "--burst", "0"], {}, "--burst: expected a positive whole number"],
    ["revoking a client with no key", ["revoke", "dev", "nobody"], {}, "no key of client nobody"],
    ["an unknown stack", ["list", "qa"], {}, "qa: no stack file"],
    ["an expiry that is not a date", ["add", "dev", "svc", "--expires", "tomorrow"], {}, "--expires: expected an ISO 8601 date and time"],
    ["limit without a limit", ["limit", "dev", "svc"], {}, "limit: name at least one limit"],
    ["an overlap that is not a duration", ["rotate", "dev", "svc", "--overlap", "soon"], {}, "--overlap: expected a duration"],
    ["a month that is not YYYY-MM", ["usage", "dev", "--month", "2026-13"], {}, "--month: expected YYYY-MM"],
];

describe("refusals", () => {
    // Independent commands: they run side by side.
    const results = new Map<string, ReturnType<typeof keys>>();
    beforeAll(() => {
        for (const [name, args, overrides] of REFUSALS) results.set(name, keys(args, overrides));
    });

    it.each(REFUSALS)("refuses %s with exit 2 and says why", async (name, _args, _overrides, message) => {
        const result = await results.get(name)!;
        expect(result.status).toBe(2);
        expect(result.stderr).toContain(message);
        expect(result.stderr).not.toContain("    at ");
    });
});
