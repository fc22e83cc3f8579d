/**
 * `npm run deploy-notice -- <stack> --outcome <deployed|rolled-back|held|failed> [--version ID] [--details TEXT]`:
 * every deploy, whatever its end, as a Grafana annotation (tagged `deploy` and the stack, so
 * the dashboards show it beside the metrics it moved) and a Slack message. The deploy workflow
 * runs it last (.github/workflows/deploy-stack.yml).
 *
 * Grafana is the stack's `monitoring.grafanaBaseUrl`, with GRAFANA_TOKEN (a service account
 * token with annotations:create); Slack is SLACK_WEBHOOK_URL (an incoming webhook). A notice
 * that cannot be sent fails the command: a deploy nobody heard of is a defect, not a detail.
 */
import { ConfigError } from "../config/load";
import { EXIT_INTERNAL, EXIT_USAGE, UsageError, parseArgs, wantsHelp } from "./plan/cli";
import { stackConfig } from "./plan/stackFile";

const OUTCOMES = ["deployed", "rolled-back", "held", "failed"] as const;
type Outcome = (typeof OUTCOMES)[number];

const USAGE = `usage: npm run deploy-notice -- <stack> --outcome <${OUTCOMES.join("|")}> [--version ID] [--details TEXT]
env: GRAFANA_TOKEN (annotations:create), SLACK_WEBHOOK_URL; GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID link the run;
     GRAFANA_BASE_URL to use another Grafana than monitoring.grafanaBaseUrl`;

class NoticeError extends Error {}

const ICON: Record<Outcome, string> = { deployed: "✅", "rolled-back": "⏪", held: "⏸️", failed: "❌" };

async function post(what: string, url: string, body: unknown, headers: Record<string, string> = {}): Promise<void> {
    let response: Response;
    try {
        response = await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json", ...headers },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(10_000),
        });
    } catch (error) {
        throw new NoticeError(`${what}: no answer (${(error as Error).message})`);
    }
    if (!response.ok) throw new NoticeError(`${what}: ${response.status} ${(await response.text()).slice(0, 200)}`);
}

async function main(argv: string[]): Promise<void> {
    if (wantsHelp(argv)) return void process.stdout.write(`${USAGE}\n`);
    const { positional, flags } = parseArgs(argv, ["outcome", "version", "details"]);
    if (positional.length !== 1) throw new UsageError(USAGE);
    const stack = positional[0]!;
    const outcome = flags["outcome"] as Outcome;
    if (!OUTCOMES.includes(outcome))
        throw new UsageError(`--outcome: expected one of ${OUTCOMES.join(", ")}, got ${JSON.stringify(flags["outcome"] ?? null)}`);
    const config = stackConfig(stack);
    const [token, webhook] = [process.env["GRAFANA_TOKEN"], process.env["SLACK_WEBHOOK_URL"]];
    const missing = [!token && "GRAFANA_TOKEN", !webhook && "SLACK_WEBHOOK_URL"].filter(Boolean);
    if (missing.length > 0) throw new UsageError(`${missing.join(" and ")} not set: a deploy is announced on both`);
    const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = process.env;
    const link = server && repo && run ? ` ${server}/${repo}/actions/runs/${run}` : "";
    const version = flags["version"] ? ` ${flags["version"]}` : "";
    const text = `${ICON[outcome]} ${stack}: gateway${version} ${outcome}${flags["details"] ? `: ${flags["details"]}` : ""}.${link}`;
    const grafana = (process.env["GRAFANA_BASE_URL"] ?? config.monitoring.grafanaBaseUrl).replace(/\/$/, "");
    // Both are sent whatever the other does, and both failures reported.
    const results = await Promise.allSettled([
        post(
            "Grafana annotation",
            `${grafana}/api/annotations`,
            { time: Date.now(), tags: ["deploy", stack, outcome], text },
            { authorization: `Bearer ${token}` },
        ),
        post("Slack message", webhook!, { text }),
    ]);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => (r.reason as Error).message);
    if (failed.length > 0) throw new NoticeError(`${stack}: the deploy notice was not sent: ${failed.join("; ")}`);
    process.stderr.write(`${stack}: announced: ${text}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
    const known = error instanceof UsageError || error instanceof ConfigError || error instanceof NoticeError;
    process.stderr.write(`${known ? "" : "internal error: "}${(error as Error).message}\n`);
    process.exit(error instanceof NoticeError ? EXIT_INTERNAL : known ? EXIT_USAGE : EXIT_INTERNAL);
});
