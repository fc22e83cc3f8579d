/**
 * A runbook behind every alert: each alert's link (Prometheus rules of every stack, the fleet's
 * CloudWatch alarms, the monitoring heartbeat's page) names a page in docs/runbooks that names
 * it back; no page names an alert nothing declares; every `npm run` a page tells the on-call to
 * run exists, with flags its tool's --help lists.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { platformRuleGroups } from "../../components/monitoring/content";
import { isAlert } from "../../components/monitoring/ruleTypes";
import { FLEET_ALARM_RUNBOOKS } from "../../components/fleet/fleetAlarms";
import { REPOSITORY_URL, RUNBOOKS_DIR, RUNBOOKS_URL } from "../../config/repository";
import { REPO_ROOT } from "../../config/repoRoot";
import { HEARTBEAT_ALERT } from "../../workers/heartbeat/src/contract";
import { ofType, oneOfType, planOf, STACKS } from "../helpers/plan";
import { parseRunbook, readRunbooks, runbookProblems, type Coverage } from "../helpers/runbooks";

const pages = readRunbooks();
const slugOf = (url: string, base: string) => {
    expect(url.startsWith(`${base}/`) && url.endsWith(".md")).toBe(true);
    return url.slice(base.length + 1, -3);
};

let coverage: Coverage;
beforeAll(async () => {
    const alerts = new Map<string, string>();
    const cloudwatchAlarms = new Map<string, string>();
    for (const stack of STACKS) {
        const { config, resources } = await planOf(stack);
        const base = config.monitoring.runbookBaseUrl;
        const cron = config.edge.kvBackup.enabled ? config.edge.kvBackup.cron : undefined;
        for (const group of platformRuleGroups(config.monitoring, { fleetPrefix: "x-", gatewayScript: "x" }, config.fleet.alarms, cron))
            for (const rule of group.rules.filter(isAlert)) alerts.set(rule.alert, slugOf(rule.annotations["runbook"]!, base));
        const heartbeat = ofType(resources, "cloudflare:index/workersScript:WorkersScript").find((s) => s.name.endsWith("-heartbeat"));
        if (heartbeat) {
            const bindings = heartbeat.inputs["bindings"] as Array<{ name: string; text?: string }>;
            alerts.set(HEARTBEAT_ALERT, slugOf(bindings.find((b) => b.name === "RUNBOOK_URL")!.text!, base));
        }
        for (const alarm of ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm")) {
            const suffix = Object.keys(FLEET_ALARM_RUNBOOKS).find((s) => alarm.name.endsWith(`-${s}`));
            expect([alarm.name, suffix !== undefined]).toEqual([alarm.name, true]);
            const link = /runbook (\S+)$/.exec(String(alarm.inputs["alarmDescription"]))?.[1] ?? "";
            cloudwatchAlarms.set(suffix!, slugOf(link, base));
        }
    }
    // The flags each tool's own --help lists, through the entry npm runs.
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    const scripts = new Map<string, ReadonlySet<string> | undefined>();
    // Only the tools the pages run are asked for their --help: each is a process.
    const used = new Set(pages.flatMap((p) => p.npmRuns.map((r) => r.script)));
    await Promise.all(
        Object.entries(pkg.scripts).map(async ([script, command]) => {
            const tool = /^node tools\/bin\/run\.cjs (\w+)$/.exec(command)?.[1];
            if (!tool || !used.has(script)) return void scripts.set(script, undefined);
            const { stdout } = await promisify(execFile)(process.execPath, ["tools/bin/run.cjs", tool, "--help"], {
                cwd: REPO_ROOT,
                timeout: 20_000,
            });
            scripts.set(script, new Set(stdout.match(/--[a-z][a-z-]*/g) ?? []));
        }),
    );
    coverage = { alerts, cloudwatchAlarms, scripts };
});

it("every alert and alarm links a page that names it, no page names what does not exist, every command exists", () => {
    expect(coverage.alerts.size).toBeGreaterThan(25);
    expect(coverage.cloudwatchAlarms.size).toBe(Object.keys(FLEET_ALARM_RUNBOOKS).length);
    expect(runbookProblems(pages, coverage)).toEqual([]);
});

describe("fails", () => {
    const page = (slug: string, text: string) => parseRunbook(slug, text);

    it("when an alert has no page", () => {
        const without = pages.filter((p) => p.slug !== "gateway-high-error-rate");
        expect(runbookProblems(without, coverage)).toEqual([
            "alert GatewayHighErrorRate links gateway-high-error-rate.md, which does not exist",
        ]);
    });

    it("when a page names an alert that does not exist", () => {
        const extra = page("gateway-meltdown", "---\nalerts: [GatewayMeltdown]\n---\n# GatewayMeltdown\n");
        expect(runbookProblems([...pages, extra], coverage)).toEqual([
            "gateway-meltdown.md names alert GatewayMeltdown, which no stack declares",
        ]);
    });

    it("when a page runs an npm script or a flag that does not exist", () => {
        const wrong = page(
            "wrong-commands",
            "---\nprocedure: x\n---\n```sh\nnpm run plan -- production --baseline plans/production.json \\\n  --only-changes\nnpm run restore-kv -- x.gz\n```\n",
        );
        expect(runbookProblems([...pages, wrong], coverage)).toEqual([
            "wrong-commands.md runs npm run plan with --only-changes, which its --help does not list",
            "wrong-commands.md runs npm run restore-kv, which package.json does not have",
        ]);
    });

    it("when a page's code fence is broken", () => {
        const broken = page("broken-fence", "---\nprocedure: x\n---\n```sh\necho hi\n``` then text\n");
        expect(runbookProblems([...pages, broken], coverage)).toEqual([
            "broken-fence.md has a code fence with text after it or one left open",
        ]);
    });
});

it("links the repository's own pages by default, and the index lists every page", () => {
    expect(RUNBOOKS_URL).toMatch(new RegExp(`^https://github\\.com/[^/]+/[^/]+/blob/main/${RUNBOOKS_DIR}$`));
    const index = readFileSync(join(REPO_ROOT, RUNBOOKS_DIR, "README.md"), "utf8");
    expect(pages.filter((p) => !index.includes(`(${p.slug}.md)`)).map((p) => p.slug)).toEqual([]);
});

it("has the platform's procedures", () => {
    const procedures = pages.filter((p) => p.procedure).map((p) => p.slug);
    expect(procedures).toEqual(
        expect.arrayContaining([
            "worker-rollout",
            "kv-restore",
            "provider-key-rotation",
            "client-keys",
            "region-failover",
            "backup-restore",
            "vault-policy-break-glass",
            "patch-wave-failed",
            "deploy-failed",
        ]),
    );
});

it("the heartbeat's page is linked from the switch production deploys", async () => {
    const { resources } = await planOf("production");
    const script = oneOfType(resources, "cloudflare:index/workersScript:WorkersScript", "heartbeat");
    expect(JSON.stringify(script.inputs["bindings"])).toContain(`${RUNBOOKS_URL}/monitoring-heartbeat-missing.md`);
});

it("the issue forms link the incident guide in this repository", () => {
    const config = readFileSync(join(REPO_ROOT, ".github", "ISSUE_TEMPLATE", "config.yml"), "utf8");
    expect(config).toContain(`url: ${REPOSITORY_URL}/blob/main/docs/incident-response.md`);
});
