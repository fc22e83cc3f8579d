/**
 * The generated rules, checked by promtool: syntax (`check rules`) and behaviour
 * (`test rules`): each seed alert fires at its threshold and stays quiet just below it; each
 * burn-rate alert fires for a fast burn and not for a slow one.
 */
import { BURN_RATE_WINDOWS, pascal, platformRuleGroups, isAlert, type AlertRule, type RuleGroup, dashboardExpressions, platformDashboards } from "../../components/monitoring";
import { validateConfig } from "../../config/load";
import { rawOf } from "../helpers/config";
import { runSystemTool, runSystemToolAsync, writeYamlFiles } from "../helpers/tools";

const config = validateConfig(rawOf("production")).monitoring;
const groups = platformRuleGroups(config);
const alerts = new Map(groups.flatMap((g) => g.rules.filter(isAlert)).map((r) => [r.alert, r]));

function links(alert: string): { runbook: string; dashboard: string } {
    const rule = alerts.get(alert) as AlertRule;
    return { runbook: rule.annotations["runbook"]!, dashboard: rule.annotations["dashboard"]! };
}

interface Case {
    name: string;
    interval?: string;
    series: Array<[series: string, values: string]>;
    evalTime: string;
    alertname: string;
    fires: Array<{ labels: Record<string, string>; annotations: Record<string, string> }>;
}

function promtoolFiles(cases: Case[], ruleGroups: RuleGroup[]): string {
    const tests = cases.map((c) => ({
        name: c.name,
        interval: c.interval ?? "1m",
        input_series: c.series.map(([series, values]) => ({ series, values })),
        alert_rule_test: [
            {
                eval_time: c.evalTime,
                alertname: c.alertname,
                exp_alerts: c.fires.map((f) => ({ exp_labels: f.labels, exp_annotations: { ...f.annotations, ...links(c.alertname) } })),
            },
        ],
    }));
    // Rules are evaluated at the sample interval, but never more than Prometheus's 5-minute lookback
    // apart: an alert reading a recording rule evaluated in the same round finds the previous
    // recorded sample only within the lookback, or its `for` clock would reset at random.
    const interval = cases[0]?.interval ?? "1m";
    const evaluationInterval = Number(interval.slice(0, -1)) > 5 ? "5m" : interval;
    return writeYamlFiles({ "rules.yml": { groups: ruleGroups }, "tests.yml": { rule_files: ["rules.yml"], evaluation_interval: evaluationInterval, tests } });
}

function promtoolTest(cases: Case[], ruleGroups = groups): { status: number | null; output: string } {
    return runSystemTool("promtool", ["test", "rules", "tests.yml"], promtoolFiles(cases, ruleGroups));
}

it("every generated rule file passes promtool check rules", () => {
    const dir = writeYamlFiles({ "rules.yml": { groups } });
    const result = runSystemTool("promtool", ["check", "rules", "rules.yml"], dir);
    expect(result.output).toContain("SUCCESS");
    expect(result.status).toBe(0);
});

it("every alert carries severity and team labels and summary, description, runbook and dashboard annotations", () => {
    expect(alerts.size).toBeGreaterThanOrEqual(6 + 4 + BURN_RATE_WINDOWS.length);
    for (const rule of alerts.values()) {
        expect(Object.keys(rule.labels)).toEqual(expect.arrayContaining(["severity", "team"]));
        expect(Object.keys(rule.annotations).sort()).toEqual(["dashboard", "description", "runbook", "summary"]);
    }
});

it("fires each seed alert at its threshold and stays quiet just below it", () => {
    const cases: Case[] = [
        {
            name: "HighErrorRate: 6% fires, 5% does not",
            series: [
                ['http_requests_total{service="hot",status="500"}', "0+6x30"],
                ['http_requests_total{service="hot",status="200"}', "0+94x30"],
                ['http_requests_total{service="calm",status="500"}', "0+5x30"],
                ['http_requests_total{service="calm",status="200"}', "0+95x30"],
            ],
            evalTime: "15m",
            alertname: "HighErrorRate",
            fires: [{ labels: { severity: "critical", team: "backend", service: "hot" }, annotations: { summary: "High error rate on hot", description: "Error rate is 6% on hot" } }],
        },
        {
            name: "HighLatency: p95 above 1s fires, below does not",
            series: [
                ['http_request_duration_seconds_bucket{service="slow",le="1"}', "0+0x30"],
                ['http_request_duration_seconds_bucket{service="slow",le="1.5"}', "0+19x30"],
                ['http_request_duration_seconds_bucket{service="slow",le="2"}', "0+20x30"],
                ['http_request_duration_seconds_bucket{service="slow",le="+Inf"}', "0+20x30"],
                ['http_request_duration_seconds_bucket{service="fast",le="0.5"}', "0+0x30"],
                ['http_request_duration_seconds_bucket{service="fast",le="1"}', "0+10x30"],
                ['http_request_duration_seconds_bucket{service="fast",le="2"}', "0+10x30"],
                ['http_request_duration_seconds_bucket{service="fast",le="+Inf"}', "0+10x30"],
            ],
            evalTime: "20m",
            alertname: "HighLatency",
            fires: [{ labels: { severity: "warning", team: "backend", service: "slow" }, annotations: { summary: "High p95 latency on slow", description: "p95 latency is 1.5s on slow" } }],
        },
        {
            name: "HighCPUUsage: 86% fires, 84% does not",
            series: [
                ['node_cpu_seconds_total{instance="busy",mode="idle"}', "0+8.4x30"],
                ['node_cpu_seconds_total{instance="fine",mode="idle"}', "0+9.6x30"],
            ],
            evalTime: "20m",
            alertname: "HighCPUUsage",
            fires: [{ labels: { severity: "warning", team: "infrastructure", instance: "busy" }, annotations: { summary: "High CPU usage on busy", description: "CPU usage is 86% on busy" } }],
        },
        {
            name: "DiskWillFillIn4Hours: a trend that empties the disk in under 4h fires, one that just does not stays quiet",
            series: [
                ['node_filesystem_free_bytes{instance="filling",mountpoint="/data",fstype="ext4"}', "1000000000-3300000x80"],
                ['node_filesystem_free_bytes{instance="steady",mountpoint="/data",fstype="ext4"}', "1000000000-3200000x80"],
                ['node_filesystem_free_bytes{instance="ram",mountpoint="/run",fstype="tmpfs"}', "1000000000-9000000x80"],
            ],
            evalTime: "70m",
            alertname: "DiskWillFillIn4Hours",
            fires: [{ labels: { severity: "critical", team: "infrastructure", instance: "filling", mountpoint: "/data", fstype: "ext4" }, annotations: { summary: "Disk will fill on filling", description: "Filesystem /data will fill in approximately 4 hours" } }],
        },
        {
            name: "ServiceDown: down 5 minutes fires, down 4 minutes does not",
            series: [
                ['up{job="web",instance="a:80"}', "1 1 0 0 0 0 0 0 0 0"],
                ['up{job="web",instance="b:80"}', "1 1 0 0 0 0 1 1 1 1"],
            ],
            evalTime: "8m",
            alertname: "ServiceDown",
            fires: [{ labels: { severity: "critical", team: "infrastructure", job: "web", instance: "a:80" }, annotations: { summary: "Service web is down", description: "a:80 of job web has been down for more than 5 minutes" } }],
        },
        {
            name: "CertificateExpiringSoon: 13 days left fires, just over 14 does not",
            series: [
                ['probe_ssl_earliest_cert_expiry{instance="https://soon.example.com"}', `${13 * 86400}+0x150`],
                ['probe_ssl_earliest_cert_expiry{instance="https://later.example.com"}', `${14 * 86400 + 7200 + 600}+0x150`],
            ],
            evalTime: "2h",
            alertname: "CertificateExpiringSoon",
            fires: [{ labels: { severity: "warning", team: "infrastructure", instance: "https://soon.example.com" }, annotations: { summary: "SSL certificate expiring soon", description: "Certificate for https://soon.example.com expires in 12.92 days" } }],
        },
    ];
    const result = promtoolTest(cases);
    expect(result.output).toContain("SUCCESS");
    expect(result.status).toBe(0);
});

it("makes a failed backup and a day without a completed backup alerts", () => {
    const result = promtoolTest([
        {
            name: "BackupJobFailed fires on a failed EC2 backup only",
            series: [
                ['aws_backup_number_of_backup_jobs_failed_sum{dimension_ResourceType="EC2"}', "0 0 1 1 1"],
                ['aws_backup_number_of_backup_jobs_failed_sum{dimension_ResourceType="EBS"}', "0 0 0 0 0"],
            ],
            evalTime: "3m",
            alertname: "BackupJobFailed",
            fires: [{ labels: { severity: "critical", team: "infrastructure", dimension_ResourceType: "EC2" }, annotations: { summary: "AWS Backup jobs failed for EC2", description: "1 backup job(s) failed; the tier's RPO is at risk" } }],
        },
        {
            name: "BackupMissing fires when no job completed in 26h",
            series: [['aws_backup_number_of_backup_jobs_completed_sum{dimension_ResourceType="EC2"}', "0+0x30"]],
            evalTime: "20m",
            alertname: "BackupMissing",
            fires: [{ labels: { severity: "critical", team: "infrastructure" }, annotations: { summary: "No backup completed in 26h", description: "No AWS Backup job has completed; check the plans, the selections and the exporter" } }],
        },
        {
            name: "BackupMissing stays quiet while jobs complete",
            series: [['aws_backup_number_of_backup_jobs_completed_sum{dimension_ResourceType="EC2"}', "0 1 0 0 0 0"]],
            evalTime: "5m",
            alertname: "BackupMissing",
            fires: [],
        },
    ]);
    expect(result.output).toContain("SUCCESS");
});

describe("burn-rate alerts", () => {
    const slo = config.slos[0]!;
    const budget = 1 - slo.objective / 100;
    // Each window's evaluation takes seconds; they are independent, so they run side by side.
    const runs = new Map<string, Promise<{ status: number | null; output: string }>>();
    const casesFor = (w: (typeof BURN_RATE_WINDOWS)[number]) => {
        const minutes = (d: string) => Number(d.slice(0, -1)) * { m: 1, h: 60, d: 1440 }[d.slice(-1) as "m" | "h" | "d"];
        // A sixth of the short window keeps several samples in every rate() while a 3-day window stays a few hundred steps.
        const step = [30, 15, 5, 1].find((m) => m <= minutes(w.short) / 6) ?? 1;
        const samples = Math.ceil((minutes(w.long) + minutes(w.for) + 30) / step);
        const perStep = 1000 * step;
        const series = (service: string, burn: number): Array<[string, string]> => {
            const errors = perStep * budget * burn;
            return [
                [`http_requests_total{service="${service}",status="500"}`, `0+${errors}x${samples}`],
                [`http_requests_total{service="${service}",status="200"}`, `0+${perStep - errors}x${samples}`],
            ];
        };
        const alertname = `${pascal(slo.name)}${w.name}`;
        const expected = {
            labels: { severity: w.severity, team: "backend", slo: slo.name, service: slo.service, long_window: w.long },
            annotations: { summary: alerts.get(alertname)!.annotations["summary"]!, description: alerts.get(alertname)!.annotations["description"]! },
        };
        const evalTime = `${(samples - 2) * step}m`;
        const interval = `${step}m`;
        return [
            { name: `${w.name} fast`, interval, series: series(slo.service, w.factor * 1.5), evalTime, alertname, fires: [expected] },
            { name: `${w.name} slow`, interval, series: series(slo.service, w.factor * 0.7), evalTime, alertname, fires: [] },
        ];
    };
    const sloGroups = groups.filter((g) => g.name.startsWith(`slo-${slo.name}`));

    beforeAll(() => {
        for (const w of BURN_RATE_WINDOWS) runs.set(w.name, runSystemToolAsync("promtool", ["test", "rules", "tests.yml"], promtoolFiles(casesFor(w), sloGroups)));
    });

    it.each(BURN_RATE_WINDOWS.map((w) => [w.name] as const))("%s fires for a fast burn and not for a slow one", async (name) => {
        expect(sloGroups.length).toBeGreaterThan(0);
        const result = await runs.get(name)!;
        expect([result.status, result.output]).toEqual([0, expect.stringContaining("SUCCESS")]);
    });
});

it("every dashboard query is valid PromQL", () => {
    const dashboards = platformDashboards(config);
    expect(new Set(dashboards.map((d) => d.uid)).size).toBe(dashboards.length);
    const rules = dashboards.flatMap(dashboardExpressions).map((expr, i) => ({ record: `dashboard:query:${i}`, expr }));
    const dir = writeYamlFiles({ "dashboards.yml": { groups: [{ name: "dashboard-queries", rules }] } });
    const result = runSystemTool("promtool", ["check", "rules", "dashboards.yml"], dir);
    expect(result.output).toContain("SUCCESS");
});

it.each([['{job="gateway"}'], ['job="gateway"'], ['{ job="gateway", env=~"prod.*" }']])("an SLO selected by %s yields rules promtool accepts, without doubled braces", (selector) => {
    const raw = rawOf("production");
    const config = validateConfig({ ...raw, values: { ...raw.values, monitoring: JSON.stringify({ slos: [{ name: "gw", service: "gateway", objective: 99.9, selector }] }) } });
    const sloGroups = platformRuleGroups(config.monitoring).filter((g) => g.name.startsWith("slo-gw"));
    const exprs = sloGroups.flatMap((g) => g.rules.map((r) => r.expr));
    expect(exprs.length).toBeGreaterThan(0);
    for (const expr of exprs) expect(expr).not.toMatch(/\{\s*\{|\}\s*\}/);
    const dir = writeYamlFiles({ "rules.yml": { groups: sloGroups } });
    const result = runSystemTool("promtool", ["check", "rules", "rules.yml"], dir);
    expect([result.status, result.output]).toEqual([0, expect.stringContaining("SUCCESS")]);
});

it("labels alerts with the teams from config, and routes the infrastructure team's to its own Slack", async () => {
    const { seedRouting } = await import("../../components/monitoring");
    const raw = rawOf("production");
    const config = validateConfig({ ...raw, values: { ...raw.values, monitoring: JSON.stringify({ teams: { service: "payments", infrastructure: "sre" } }) } });
    const teams = new Set(platformRuleGroups(config.monitoring).flatMap((g) => g.rules.filter(isAlert).map((r) => r.labels["team"])));
    expect([...teams].sort()).toEqual(["payments", "sre"]);
    expect(seedRouting("sre").routes.find((r) => r.receiver === "slack-infrastructure")!.matchers).toEqual(['team="sre"']);
});
