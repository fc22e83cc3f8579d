/**
 * `npm run keys` against a stand-in for Cloudflare's KV REST API on 127.0.0.1, and the key it
 * makes used by the gateway in workerd with the record exactly as the API received it.
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

/** Workers KV's REST endpoints for values and keys, as the API documents them; one namespace. */
class FakeKvApi {
    readonly store = new Map<string, { value: string; metadata: unknown }>();
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
        if (++this.requests > 50) return [429, { success: false, errors: [{ message: "test request budget spent" }] }];
        if (req.headers.authorization !== `Bearer ${TOKEN}`)
            return [403, { success: false, errors: [{ message: "Authentication error" }] }];
        const url = new URL(req.url!, "http://x");
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

const REFUSALS: Array<[string, string[], Record<string, string | undefined>, string]> = [
    ["no token", ["add", "dev", "svc"], { CLOUDFLARE_API_TOKEN: undefined }, "CLOUDFLARE_API_TOKEN is not set"],
    ["a token the API refuses", ["list", "dev"], { CLOUDFLARE_API_TOKEN: "wrong" }, "403 Authentication error"],
    ["a client name with a space", ["add", "dev", "my client"], {}, 'client "my client": expected up to 64 letters'],
    ["a limit that is not a positive number", ["add", "dev", "svc", "--burst", "0"], {}, "--burst: expected a positive whole number"],
    ["revoking a client with no key", ["revoke", "dev", "nobody"], {}, "no key of client nobody"],
    ["an unknown stack", ["list", "qa"], {}, "qa: no stack file"],
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
