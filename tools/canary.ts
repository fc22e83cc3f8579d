/**
 * `npm run canary -- <stack> [--window-minutes N] [--json]`: whether the gateway's canary version
 * may take more traffic. It reads the live deployment (which two versions split the traffic)
 * from Cloudflare's API and each version's requests, 5xx share and p95 over the window from the
 * gateway's Analytics Engine points (each names the version that wrote it), and says:
 *
 *   promote    the canary is no worse than the stable version within edge.rollout.canary's
 *              thresholds (or one version serves 100%: nothing to judge); `next` is the step
 *   hold       either version had too little traffic, or the numbers could not be read
 *   rollback   the canary's error share or p95 is worse than the thresholds allow
 *
 * Never promote on doubt: any failure to read is a hold. Exit 0 with a verdict, 2 on bad
 * usage. The deploy workflow runs it between the rollout's steps (.github/workflows/deploy-stack.yml).
 *
 * Needs CLOUDFLARE_API_TOKEN (Workers Scripts Read, Account Analytics Read); the account, the
 * script and the dataset come from Pulumi.<stack>.yaml.
 */
import { analyticsDatasetName, gatewayScriptName } from "../components/edge/names";
import { ConfigError } from "../config/load";
import type { ParsedConfig } from "../config/schema";
import { physicalName } from "../config/tagging";
import { column } from "../workers/gateway/src/analyticsColumns";
import { querySql, sqlString, type SqlTarget } from "./analyticsSql";
import { EXIT_INTERNAL, EXIT_USAGE, UsageError, parseArgs, positiveFlag, wantsHelp } from "./plan/cli";
import { stackConfig } from "./plan/stackFile";

const USAGE = `usage: npm run canary -- <stack> [--canary-version ID] [--window-minutes N] [--json]
env: CLOUDFLARE_API_TOKEN (Workers Scripts Read, Account Analytics Read); CLOUDFLARE_API_BASE_URL to use another API endpoint`;

export type Thresholds = ParsedConfig["edge"]["rollout"]["canary"];

/** One version's numbers over the window. */
export interface VersionStats {
    versionId: string;
    percentage: number;
    requests: number;
    errors: number;
    errorRatio: number;
    p95Ms: number;
}

export interface Verdict {
    verdict: "promote" | "hold" | "rollback";
    reasons: string[];
    /** The canary's next share when promoted; null when it already serves 100% or is not promoted. */
    next: number | null;
    canary?: VersionStats;
    stable?: VersionStats;
}

const pct = (ratio: number) => `${(ratio * 100).toFixed(2)}%`;

/** The verdict on two versions' numbers: pure, so its table is tested without any API. */
export function judge(canary: VersionStats, stable: VersionStats, t: Thresholds, next: number | null): Verdict {
    const base = { canary, stable };
    const thin = [canary, stable].filter((v) => v.requests < t.minRequests);
    if (thin.length > 0)
        return {
            verdict: "hold",
            next: null,
            reasons: thin.map(
                (v) => `too little traffic: ${v === canary ? "canary" : "stable"} had ${v.requests} requests, fewer than ${t.minRequests}`,
            ),
            ...base,
        };
    const reasons: string[] = [];
    const errorLimit = Math.max(stable.errorRatio * t.errorRatioFactor, t.errorRatioFloor);
    if (canary.errorRatio > errorLimit)
        reasons.push(
            `5xx share ${pct(canary.errorRatio)} is above ${pct(errorLimit)} (${t.errorRatioFactor}x the stable version's ${pct(stable.errorRatio)}, at least ${pct(t.errorRatioFloor)})`,
        );
    const p95Limit = Math.max(stable.p95Ms * t.p95Factor, stable.p95Ms + t.p95MarginMs);
    if (canary.p95Ms > p95Limit)
        reasons.push(
            `p95 ${canary.p95Ms.toFixed(0)} ms is above ${p95Limit.toFixed(0)} ms (${t.p95Factor}x the stable version's ${stable.p95Ms.toFixed(0)} ms, and ${t.p95MarginMs} ms more)`,
        );
    if (reasons.length > 0) return { verdict: "rollback", next: null, reasons, ...base };
    return {
        verdict: "promote",
        next,
        reasons: [
            `5xx share ${pct(canary.errorRatio)} within ${pct(errorLimit)}; p95 ${canary.p95Ms.toFixed(0)} ms within ${p95Limit.toFixed(0)} ms`,
        ],
        ...base,
    };
}

interface Deployment {
    versions: Array<{ version_id: string; percentage: number }>;
}

/** The deployment serving now: the first of the script's deployments (Cloudflare lists the newest first). */
async function liveDeployment(target: SqlTarget, script: string): Promise<Deployment> {
    const response = await fetch(`${target.api}/accounts/${target.accountId}/workers/scripts/${script}/deployments`, {
        headers: { authorization: `Bearer ${target.token}` },
        signal: AbortSignal.timeout(10_000),
    });
    const payload = (await response.json().catch(() => null)) as {
        success?: boolean;
        result?: { deployments?: Deployment[] };
        errors?: Array<{ message: string }>;
    } | null;
    const live = payload?.result?.deployments?.[0];
    if (!response.ok || !payload?.success || !live)
        throw new Error(
            `Cloudflare API GET deployments of ${script}: ${response.status} ${payload?.errors?.map((e) => e.message).join("; ") ?? ""}`.trim(),
        );
    return live;
}

/** Each version's requests, 5xx and p95 over the window, from the request points. */
async function versionNumbers(target: SqlTarget, dataset: string, versionIds: string[], minutes: number) {
    const c = (name: Parameters<typeof column<"request">>[1]) => column("request", name);
    const sql = `SELECT ${c("version")} AS version, SUM(_sample_interval) AS requests, sumIf(_sample_interval, ${c("statusClass")} = '5xx') AS errors, quantileExactWeighted(0.95)(${c("durationMs")}, _sample_interval) AS p95_ms FROM ${dataset} WHERE ${c("kind")} = 'request' AND ${c("version")} IN (${versionIds.map(sqlString).join(", ")}) AND timestamp > NOW() - INTERVAL '${minutes}' MINUTE GROUP BY version FORMAT JSON`;
    const rows = await querySql(target, sql);
    return new Map(
        rows.map((r) => [
            String(r["version"]),
            { requests: Number(r["requests"]), errors: Number(r["errors"]), p95Ms: Number(r["p95_ms"]) },
        ]),
    );
}

/** The version blob of a point written before the Worker named its version. */
const UNVERSIONED = "";

export interface CanaryTarget extends SqlTarget {
    /** The new version (`pulumi stack output edge` versionId); without it, the smaller share of the deployment. */
    canaryVersionId?: string;
    script: string;
    dataset: string;
    thresholds: Thresholds;
    promoteTo: number[];
    windowMinutes: number;
}

/** The verdict on the live canary; whatever cannot be read is a hold, never a promotion. */
export async function canaryVerdict(target: CanaryTarget): Promise<Verdict> {
    let deployment: Deployment;
    try {
        deployment = await liveDeployment(target, target.script);
    } catch (error) {
        return { verdict: "hold", next: null, reasons: [`could not read the live deployment: ${(error as Error).message}`] };
    }
    if (deployment.versions.length < 2)
        return { verdict: "promote", next: null, reasons: ["one version serves 100%: there is no canary to judge"] };
    type Share = Deployment["versions"][number];
    let canaryShare: Share | undefined;
    if (target.canaryVersionId) {
        canaryShare = deployment.versions.find((v) => v.version_id === target.canaryVersionId);
        if (!canaryShare)
            return {
                verdict: "promote",
                next: null,
                reasons: [`the canary ${target.canaryVersionId} is not in the live deployment (pinned or rolled back): nothing to judge`],
            };
    } else {
        const [smaller, larger] = [...deployment.versions].sort((a, b) => a.percentage - b.percentage) as [Share, Share];
        if (smaller.percentage === larger.percentage)
            return { verdict: "hold", next: null, reasons: ["two versions at 50%: name the canary with --canary-version"] };
        canaryShare = smaller;
    }
    const stableShare = deployment.versions.find((v) => v !== canaryShare)!;
    let numbers: Awaited<ReturnType<typeof versionNumbers>>;
    try {
        numbers = await versionNumbers(
            target,
            target.dataset,
            [canaryShare.version_id, stableShare.version_id, UNVERSIONED],
            target.windowMinutes,
        );
    } catch (error) {
        return { verdict: "hold", next: null, reasons: [`could not read the versions' numbers: ${(error as Error).message}`] };
    }
    // Points written before the Worker named its version have none: in the rollout that brings
    // version ids, they are the stable version's (the canary writes its id from its first point).
    const unversioned = numbers.get(UNVERSIONED);
    const transition = !numbers.has(stableShare.version_id) && unversioned !== undefined;
    if (transition) numbers.set(stableShare.version_id, unversioned);
    const stats = (share: Deployment["versions"][number]): VersionStats => {
        const n = numbers.get(share.version_id) ?? { requests: 0, errors: 0, p95Ms: 0 };
        const valid = [n.requests, n.errors, n.p95Ms].every(Number.isFinite);
        return {
            versionId: share.version_id,
            percentage: share.percentage,
            requests: valid ? n.requests : 0,
            errors: valid ? n.errors : 0,
            errorRatio: valid && n.requests > 0 ? n.errors / n.requests : 0,
            p95Ms: valid ? n.p95Ms : 0,
        };
    };
    const next = target.promoteTo.find((p) => p > canaryShare.percentage) ?? null;
    const verdict = judge(stats(canaryShare), stats(stableShare), target.thresholds, next);
    return transition
        ? { ...verdict, reasons: [...verdict.reasons, "the stable version's points predate version ids: read as its"] }
        : verdict;
}

function render(stack: string, v: Verdict, minutes: number): string {
    const lines = [`${stack}: canary verdict over the last ${minutes} min: ${v.verdict.toUpperCase()}${v.next ? ` (to ${v.next}%)` : ""}`];
    for (const [name, s] of [
        ["canary", v.canary],
        ["stable", v.stable],
    ] as const)
        if (s)
            lines.push(
                `  ${name} ${s.versionId} at ${s.percentage}%: ${s.requests} requests, ${s.errors} 5xx (${pct(s.errorRatio)}), p95 ${s.p95Ms.toFixed(0)} ms`,
            );
    lines.push(...v.reasons.map((r) => `  - ${r}`));
    return `${lines.join("\n")}\n`;
}

function resolveTarget(argv: string[]): { stack: string; json: boolean; target: CanaryTarget } {
    const { positional, flags, switches } = parseArgs(argv, ["window-minutes", "canary-version"], ["json"]);
    const canaryVersionId = flags["canary-version"];
    if (canaryVersionId !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(canaryVersionId))
        throw new UsageError(`--canary-version ${JSON.stringify(canaryVersionId)}: expected a Worker version id (a UUID)`);
    if (positional.length !== 1) throw new UsageError(USAGE);
    const stack = positional[0]!;
    const config = stackConfig(stack);
    const token = process.env["CLOUDFLARE_API_TOKEN"];
    if (!token) throw new UsageError("CLOUDFLARE_API_TOKEN is not set: a token with Workers Scripts Read and Account Analytics Read");
    const prefix = physicalName(config);
    const { rollout } = config.edge;
    return {
        stack,
        json: switches.has("json"),
        target: {
            api: (process.env["CLOUDFLARE_API_BASE_URL"] ?? "https://api.cloudflare.com/client/v4").replace(/\/$/, ""),
            token,
            accountId: config.cloudflare.accountId,
            ...(canaryVersionId ? { canaryVersionId } : {}),
            script: gatewayScriptName(prefix, config.edge.workerName),
            dataset: analyticsDatasetName(prefix),
            thresholds: rollout.canary,
            promoteTo: rollout.promoteTo,
            windowMinutes: positiveFlag(flags, "window-minutes") ?? rollout.canary.windowMinutes,
        },
    };
}

async function main(argv: string[]): Promise<void> {
    if (wantsHelp(argv)) return void process.stdout.write(`${USAGE}\n`);
    const { stack, json, target } = resolveTarget(argv);
    const verdict = await canaryVerdict(target);
    // The workflow waits windowMinutes between verdicts and stops after maxHolds holds in a row.
    const machine = { ...verdict, windowMinutes: target.windowMinutes, maxHolds: target.thresholds.maxHolds };
    process.stdout.write(json ? `${JSON.stringify(machine)}\n` : render(stack, verdict, target.windowMinutes));
}

if (require.main === module)
    main(process.argv.slice(2)).catch((error: unknown) => {
        const known = error instanceof UsageError || error instanceof ConfigError;
        process.stderr.write(`${known ? "" : "internal error: "}${(error as Error).message}\n`);
        process.exit(known ? EXIT_USAGE : EXIT_INTERNAL);
    });
