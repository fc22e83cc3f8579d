/**
 * The DR drill (tools/drDrill.ts, `npm run dr-drill`) run as the workflow runs it, against a fake
 * Cloudflare load-balancing API and a fake platform on 127.0.0.1: the origin answers through the
 * primary pool while it is enabled, otherwise through the standby if the standby works.
 */
import { execFile } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT } from "../helpers/cli";
import { scratchDir } from "../helpers/scratch";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const PRIMARY = "ops-platform-staging-us-east-1";
const STANDBY = "ops-platform-staging-us-west-2";
/** Each drill makes a few dozen requests; more means it is looping. */
const MAX_REQUESTS = 400;

interface World {
    pools: Record<string, { id: string; name: string; enabled: boolean }>;
    standbyServes: boolean;
    /** The load balancer takes this long to route around a disabled pool. */
    failoverMs: number;
    restoreFails: boolean;
    disabledAt?: number;
    requests: string[];
}

function newWorld(changes: Partial<World> = {}): World {
    return {
        pools: {
            p1: { id: "p1", name: PRIMARY, enabled: true },
            p2: { id: "p2", name: STANDBY, enabled: true },
        },
        standbyServes: true,
        failoverMs: 150,
        restoreFails: false,
        requests: [],
        ...changes,
    };
}

let world: World;
const json = (res: ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
        world.requests.push(`${req.method} ${req.url}`);
        if (world.requests.length > MAX_REQUESTS) return json(res, 429, {});
        const url = req.url ?? "";
        const api = `/client/v4/accounts/${ACCOUNT}/load_balancers/pools`;
        if (req.headers.authorization !== "Bearer cf-token" && url.startsWith("/client/v4")) return json(res, 403, { success: false });
        if (url === api && req.method === "GET") return json(res, 200, { success: true, result: Object.values(world.pools) });
        const health = new RegExp(`^${api}/(\\w+)/health$`).exec(url);
        if (health && req.method === "GET")
            return json(res, 200, {
                success: true,
                result: {
                    pool_id: health[1],
                    pop_health: {
                        // A standby that "fails" does so under the traffic the drill sends it.
                        WNAM: { healthy: world.pools[health[1]!]!.name !== STANDBY || world.standbyServes || world.pools["p1"]!.enabled },
                    },
                },
            });
        const patch = new RegExp(`^${api}/(\\w+)$`).exec(url);
        if (patch && req.method === "PATCH") {
            const pool = world.pools[patch[1]!]!;
            const { enabled } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { enabled: boolean };
            if (enabled && world.restoreFails) return json(res, 500, { success: false, errors: [{ message: "internal error" }] });
            pool.enabled = enabled;
            if (!enabled && pool.name === PRIMARY) world.disabledAt = Date.now();
            return json(res, 200, { success: true, result: pool });
        }
        // The platform: the Worker answers /health and chat itself; the rest goes to the origin.
        if (url === "/health") return json(res, 200, { status: "ok" });
        if (url === "/v1/chat/completions")
            return req.headers.authorization === "Bearer client-key"
                ? json(res, 200, { model: "gpt-4o-mini", choices: [{ message: { role: "assistant", content: "ok" } }] })
                : json(res, 401, {});
        const primary = world.pools["p1"]!.enabled;
        const routedAround = world.disabledAt !== undefined && Date.now() - world.disabledAt >= world.failoverMs;
        const serves = primary || (routedAround && world.standbyServes);
        return serves ? res.writeHead(200).end("web") : res.writeHead(502).end("bad gateway");
    });
});
let base: string;
beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

async function drill(changes: Partial<World> = {}): Promise<{ code: number; stdout: string; stderr: string; report: string }> {
    world = newWorld(changes);
    const report = join(scratchDir("dr-drill"), "report.md");
    const args = [
        "tools/bin/run.cjs",
        "drDrill",
        "staging",
        "--gateway-url",
        base,
        "--timeout-seconds",
        "1",
        "--interval-ms",
        "100",
        "--report",
        report,
    ];
    const env = {
        ...process.env,
        CLOUDFLARE_API_TOKEN: "cf-token",
        DR_DRILL_CLIENT_KEY: "client-key",
        CLOUDFLARE_API_BASE_URL: `${base}/client/v4`,
    };
    try {
        const { stdout, stderr } = await promisify(execFile)(process.execPath, args, { cwd: ROOT, env, timeout: 20_000 });
        return { code: 0, stdout, stderr, report: readFileSync(report, "utf8") };
    } catch (error) {
        const e = error as { code: number; stdout: string; stderr: string };
        let text = "";
        try {
            text = readFileSync(report, "utf8");
        } catch {
            // No report: the drill did not get that far.
        }
        return { code: e.code, stdout: e.stdout, stderr: e.stderr, report: text };
    }
}

it("the standby serves: the drill passes with its time to recover, and the primary pool is back", async () => {
    const result = await drill();
    expect(result.code).toBe(0);
    expect(result.report).toMatch(/^# DR drill staging \d{4}-\d\d-\d\d: passed/);
    const recovered = Number(/Time to recover: ([\d.]+) s/.exec(result.report)?.[1]);
    expect(recovered).toBeGreaterThanOrEqual(0.15);
    expect(recovered).toBeLessThan(1);
    expect(result.report).toContain("Primary pool restored: yes");
    expect(world.pools["p1"]!.enabled).toBe(true);
    expect(world.requests.filter((r) => r.startsWith("PATCH"))).toEqual([
        `PATCH /client/v4/accounts/${ACCOUNT}/load_balancers/pools/p1`,
        `PATCH /client/v4/accounts/${ACCOUNT}/load_balancers/pools/p1`,
    ]);
});

it("the standby fails: the drill fails loudly, says what failed, and restores the pool", async () => {
    const result = await drill({ standbyServes: false });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("staging: the standby did not serve within 1 s; the primary pool is restored");
    expect(result.report).toMatch(/: FAILED\n/);
    expect(result.report).toContain("| origin / | FAILED | status 502 |");
    expect(result.report).toContain(`| standby pool healthy | FAILED | no health check region sees ${STANDBY} healthy |`);
    expect(result.report).toContain("Primary pool restored: yes");
    expect(world.pools["p1"]!.enabled).toBe(true);
});

it("the restore fails: the drill says the pool is still disabled, and how to put it back", async () => {
    const result = await drill({ restoreFails: true });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`THE PRIMARY POOL ${PRIMARY} IS STILL DISABLED`);
    expect(result.report).toContain("**NO, it is still disabled**");
    expect(result.report).toContain("docs/runbooks/region-failover.md#fail-back");
    expect(world.pools["p1"]!.enabled).toBe(false);
});

it("does not start on a platform that already fails, and never touches the pool then", async () => {
    world = newWorld();
    const result = await drill({
        pools: { p1: { id: "p1", name: PRIMARY, enabled: false }, p2: { id: "p2", name: STANDBY, enabled: true } },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`pool ${PRIMARY} is already disabled`);
    expect(world.requests.filter((r) => r.startsWith("PATCH"))).toEqual([]);
});
