/**
 * `npm run dr-drill -- <stack> [--report FILE] [--timeout-seconds N] [--interval-ms N] [--gateway-url URL] [--origin-path PATH]`
 *
 * The DR drill of docs/dr-plan.md: takes the primary region's pool out of the stack's Cloudflare
 * load balancer, checks that the platform still serves with the standby region alone (the
 * gateway's /health and a chat completion, which the Worker answers, and an origin path, which
 * only the standby's load balancer can answer now), records the time to recover, and puts the
 * pool back, whatever happened. The report is Markdown, for the issue the workflow files.
 *
 * Exit codes: 0 the standby served; 1 it did not within the timeout, or the drill could not
 * start (the pool is as it was); 2 bad usage or config; 3 the pool could not be restored (it is
 * left disabled, said loudly) or the tool itself failed.
 */
import { writeFileSync } from "node:fs";
import { ConfigError } from "../config/load";
import { physicalName } from "../config/tagging";
import { EXIT_INTERNAL, EXIT_USAGE, UsageError, parseArgs, positiveFlag, wantsHelp } from "./plan/cli";
import { stackConfig } from "./plan/stackFile";

const USAGE =
    "usage: npm run dr-drill -- <stack> [--report FILE] [--timeout-seconds N] [--interval-ms N] [--gateway-url URL] [--origin-path PATH]";
const HELP = `${USAGE}

Takes the primary region's pool out of the stack's Cloudflare load balancer, checks that the
standby serves (/health, a chat completion, an origin path through the public hostname), records
the time to recover and restores the pool, whatever happened.

  --report FILE          write the drill's report (Markdown) to FILE
  --timeout-seconds N    how long the standby may take to serve (default 300)
  --interval-ms N        between checks (default 5000)
  --gateway-url URL      the public URL (default https://<edge.hostname>.<zone>)
  --origin-path PATH     a path the Worker passes to the origin (default /)
  -h, --help             this text
exit codes: 0 the standby served, 1 it did not or the drill could not start, 2 bad usage or
config, 3 the primary pool could not be restored or the tool failed (check the pool)
env: CLOUDFLARE_API_TOKEN (Load Balancing: Monitors and Pools Edit), DR_DRILL_CLIENT_KEY (a
gateway client key), CLOUDFLARE_API_BASE_URL to use another API endpoint`;

/** Exit code of a drill whose standby did not serve. */
const EXIT_DRILL_FAILED = 1;

interface Pool {
    id: string;
    name: string;
    enabled: boolean;
}

class ApiError extends Error {}

interface Drill {
    stack: string;
    api: string;
    token: string;
    accountId: string;
    primaryPool: string;
    standbyPool: string;
    gatewayUrl: string;
    originPath: string;
    clientKey: string;
    timeoutMs: number;
    intervalMs: number;
}

interface Check {
    name: string;
    ok: boolean;
    detail: string;
}

async function cloudflare<T>(drill: Drill, method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${drill.api}/accounts/${drill.accountId}/load_balancers${path}`, {
        method,
        headers: { authorization: `Bearer ${drill.token}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
    });
    const payload = (await response.json().catch(() => null)) as {
        success?: boolean;
        result: T;
        errors?: Array<{ message: string }>;
    } | null;
    if (!response.ok || !payload?.success)
        throw new ApiError(
            `Cloudflare API ${method} /load_balancers${path}: ${response.status} ${payload?.errors?.map((e) => e.message).join("; ") ?? ""}`.trim(),
        );
    return payload.result;
}

async function poolNamed(drill: Drill, name: string): Promise<Pool> {
    const pools = await cloudflare<Pool[]>(drill, "GET", "/pools");
    const pool = pools.find((p) => p.name === name);
    if (!pool) throw new ApiError(`${drill.stack}: no load balancer pool named ${name} on account ${drill.accountId}`);
    return pool;
}

const setEnabled = (drill: Drill, pool: Pool, enabled: boolean) => cloudflare<Pool>(drill, "PATCH", `/pools/${pool.id}`, { enabled });

async function check(name: string, run: () => Promise<string>): Promise<Check> {
    try {
        return { name, ok: true, detail: await run() };
    } catch (error) {
        return { name, ok: false, detail: (error as Error).message };
    }
}

/** What the platform must still do with the standby region alone. */
function servingChecks(drill: Drill, standby: Pool): Promise<Check[]> {
    const get = (path: string, init: RequestInit = {}) =>
        fetch(`${drill.gatewayUrl}${path}`, { ...init, signal: AbortSignal.timeout(15_000) });
    return Promise.all([
        check("/health", async () => {
            const response = await get("/health");
            const body = (await response.json().catch(() => ({}))) as { status?: string };
            if (response.status !== 200 || body.status !== "ok")
                throw new Error(`status ${response.status}, ${JSON.stringify(body.status)}`);
            return "200 ok";
        }),
        check("chat completion", async () => {
            const response = await get("/v1/chat/completions", {
                method: "POST",
                headers: { authorization: `Bearer ${drill.clientKey}`, "content-type": "application/json" },
                body: JSON.stringify({ model: "auto", messages: [{ role: "user", content: "DR drill: answer ok" }], max_tokens: 5 }),
            });
            const body = (await response.json().catch(() => ({}))) as { choices?: unknown[]; model?: string };
            if (response.status !== 200 || !body.choices?.length) throw new Error(`status ${response.status}`);
            return `200 from ${body.model ?? "a model"}`;
        }),
        // The Worker answers /health and chat itself: the load balancer's own view says the standby can take the origin's traffic.
        check("standby pool healthy", async () => {
            const health = await cloudflare<{ pop_health?: Record<string, { healthy?: boolean }> }>(
                drill,
                "GET",
                `/pools/${standby.id}/health`,
            );
            const regions = Object.entries(health.pop_health ?? {});
            if (!regions.some(([, r]) => r.healthy)) throw new Error(`no health check region sees ${standby.name} healthy`);
            return `healthy from ${regions
                .filter(([, r]) => r.healthy)
                .map(([region]) => region)
                .join(", ")}`;
        }),
        check(`origin ${drill.originPath}`, async () => {
            const response = await get(drill.originPath, { redirect: "manual" });
            await response.body?.cancel();
            if (response.status >= 500) throw new Error(`status ${response.status}`);
            return `${response.status}`;
        }),
    ]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Outcome {
    started: Date;
    recoveredMs?: number;
    checks: Check[];
    restored: boolean;
    restoreError?: string;
}

async function runDrill(drill: Drill): Promise<Outcome> {
    const primary = await poolNamed(drill, drill.primaryPool);
    const standby = await poolNamed(drill, drill.standbyPool);
    if (!primary.enabled)
        throw new ApiError(`${drill.stack}: pool ${primary.name} is already disabled; a drill starts from a healthy load balancer`);
    const before = await servingChecks(drill, standby);
    if (before.some((c) => !c.ok))
        throw new ApiError(
            `${drill.stack}: not drilling, the platform does not serve before the drill: ${before.map((c) => `${c.name} ${c.ok ? "ok" : c.detail}`).join("; ")}`,
        );

    const started = new Date();
    const outcome: Outcome = { started, checks: [], restored: false };
    // Restored however the drill ends: a signal (the workflow cancelled) restores before exiting.
    const restore = async () => {
        try {
            const restored = await setEnabled(drill, primary, true);
            outcome.restored = restored.enabled === true;
            if (!outcome.restored) outcome.restoreError = "the API answered the pool still disabled";
        } catch (error) {
            outcome.restoreError = (error as Error).message;
        }
    };
    const onSignal = (signal: NodeJS.Signals) =>
        void restore().then(() => {
            process.stderr.write(
                `${drill.stack}: ${signal}: the drill stopped; primary pool restored: ${outcome.restored ? "yes" : `NO (${outcome.restoreError})`}\n`,
            );
            process.exit(outcome.restored ? EXIT_DRILL_FAILED : EXIT_INTERNAL);
        });
    process.once("SIGINT", onSignal).once("SIGTERM", onSignal);
    try {
        // Inside the try: a disable that times out may still have been applied.
        await setEnabled(drill, primary, false);
        const deadline = started.getTime() + drill.timeoutMs;
        for (;;) {
            outcome.checks = await servingChecks(drill, standby);
            if (outcome.checks.every((c) => c.ok)) {
                outcome.recoveredMs = Date.now() - started.getTime();
                break;
            }
            if (Date.now() + drill.intervalMs > deadline) break;
            await sleep(drill.intervalMs);
        }
    } finally {
        await restore();
        process.removeListener("SIGINT", onSignal).removeListener("SIGTERM", onSignal);
    }
    return outcome;
}

function report(drill: Drill, outcome: Outcome): string {
    const passed = outcome.recoveredMs !== undefined;
    const rows = outcome.checks.map((c) => `| ${c.name} | ${c.ok ? "ok" : "FAILED"} | ${c.detail.replace(/\|/g, "\\|")} |`);
    return [
        `# DR drill ${drill.stack} ${outcome.started.toISOString().slice(0, 10)}: ${passed ? "passed" : "FAILED"}`,
        "",
        `- Primary pool taken out: \`${drill.primaryPool}\` at ${outcome.started.toISOString()}`,
        `- Standby: \`${drill.standbyPool}\``,
        `- Time to recover: ${passed ? `${(outcome.recoveredMs! / 1000).toFixed(1)} s` : `not within ${drill.timeoutMs / 1000} s`}`,
        `- Primary pool restored: ${outcome.restored ? "yes" : `**NO, it is still disabled** (${outcome.restoreError}); re-enable it now: Cloudflare dashboard > Traffic > Load Balancing > Pools > ${drill.primaryPool}, or docs/runbooks/region-failover.md#fail-back`}`,
        "",
        "| check (standby only) | result | detail |",
        "|---|---|---|",
        ...rows,
        "",
    ].join("\n");
}

function resolveDrill(argv: string[]): { drill: Drill; reportFile?: string } {
    const { positional, flags } = parseArgs(argv, ["report", "timeout-seconds", "interval-ms", "gateway-url", "origin-path"]);
    if (positional.length !== 1) throw new UsageError(USAGE);
    const stack = positional[0]!;
    const config = stackConfig(stack);
    const standby = config.regions.find((r) => r.standby);
    if (!standby) throw new UsageError(`${stack}: ops-platform:regions has no standby region; a DR drill needs one to fail over to`);
    const token = process.env["CLOUDFLARE_API_TOKEN"];
    const clientKey = process.env["DR_DRILL_CLIENT_KEY"];
    const missing = [!token && "CLOUDFLARE_API_TOKEN", !clientKey && "DR_DRILL_CLIENT_KEY"].filter(Boolean);
    if (missing.length > 0) throw new UsageError(`${missing.join(" and ")} not set; see --help`);
    const originPath = flags["origin-path"] ?? "/";
    if (!originPath.startsWith("/") || originPath === "/health" || originPath.startsWith("/v1/"))
        throw new UsageError(`--origin-path ${originPath}: expected a path the Worker passes to the origin (not /health or /v1/...)`);
    const prefix = physicalName(config);
    return {
        drill: {
            stack,
            api: (process.env["CLOUDFLARE_API_BASE_URL"] ?? "https://api.cloudflare.com/client/v4").replace(/\/$/, ""),
            token: token!,
            accountId: config.cloudflare.accountId,
            primaryPool: `${prefix}-${config.regions[0]!.region}`,
            standbyPool: `${prefix}-${standby.region}`,
            gatewayUrl: (flags["gateway-url"] ?? `https://${config.edge.hostname}.${config.cloudflare.zoneName}`).replace(/\/$/, ""),
            originPath,
            clientKey: clientKey!,
            timeoutMs: (positiveFlag(flags, "timeout-seconds") ?? 300) * 1000,
            intervalMs: positiveFlag(flags, "interval-ms") ?? 5000,
        },
        ...(flags["report"] ? { reportFile: flags["report"] } : {}),
    };
}

async function main(argv: string[]): Promise<number> {
    if (wantsHelp(argv)) {
        process.stdout.write(`${HELP}\n`);
        return 0;
    }
    const { drill, reportFile } = resolveDrill(argv);
    const outcome = await runDrill(drill);
    const text = report(drill, outcome);
    if (reportFile) writeFileSync(reportFile, text);
    process.stdout.write(text);
    if (!outcome.restored) {
        process.stderr.write(`${drill.stack}: THE PRIMARY POOL ${drill.primaryPool} IS STILL DISABLED: ${outcome.restoreError}\n`);
        return EXIT_INTERNAL;
    }
    if (outcome.recoveredMs === undefined) {
        process.stderr.write(
            `${drill.stack}: the standby did not serve within ${drill.timeoutMs / 1000} s; the primary pool is restored\n`,
        );
        return EXIT_DRILL_FAILED;
    }
    return 0;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
        const usage = error instanceof UsageError || error instanceof ConfigError;
        const known = usage || error instanceof ApiError;
        process.stderr.write(`${known ? "" : "internal error: "}${(error as Error).message}\n`);
        process.exit(usage ? EXIT_USAGE : known ? EXIT_DRILL_FAILED : EXIT_INTERNAL);
    },
);
