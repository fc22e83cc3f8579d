/**
 * The generated rules, checked by promtool: syntax (`check rules`) and behaviour
 * (`test rules`) on the metric names the exporters really produce: each alert fires past its
 * threshold and stays quiet at or just below it; each burn-rate alert fires for a fast burn
 * and not for a slow one.
 */
// The pure modules, not the package index: the tests need no Pulumi SDK.
import { platformDashboards, platformRuleGroups } from "../../components/monitoring/content";
import { dashboardExpressions } from "../../components/monitoring/dashboards";
import { SCENARIOS, isAlert, pascal, type AlertRule, type RuleGroup } from "../../components/monitoring/ruleTypes";
import { BURN_RATE_TIERS, MIN_SLO_WINDOW_DAYS, burnRateFactor } from "../../components/monitoring/sloRules";
import { yaceConfig } from "../../components/monitoring/exporterConfigs";
import { validateConfig } from "../../config/load";
import { problemsOf, rawOf, withKey } from "../helpers/config";
import { runSystemTool, runSystemToolAsync, writeYamlFiles } from "../helpers/tools";
import { yaceStored } from "../helpers/yaceSamples";

const production = validateConfig(rawOf("production"));
const config = production.monitoring;
const FLEET_ALARMS = production.fleet.alarms;
const CTX = { fleetPrefix: "ops-platform-production-", gatewayScript: "ops-platform-production-gateway" };
const KV_EXPORT_CRON = production.edge.kvBackup.cron;
const groups = platformRuleGroups(config, CTX, FLEET_ALARMS, KV_EXPORT_CRON);
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
    // One evaluation interval per run: every case's samples must come at it.
    const interval = cases[0]?.interval ?? "1m";
    const others = cases.filter((c) => (c.interval ?? "1m") !== interval).map((c) => c.name);
    if (others.length > 0) throw new Error(`cases run together share one interval (${interval}); these do not: ${others.join(", ")}`);
    const tests = cases.map((c) => ({
        name: c.name,
        interval,
        input_series: c.series.map(([series, values]) => ({ series, values })),
        alert_rule_test: [
            {
                eval_time: c.evalTime,
                alertname: c.alertname,
                exp_alerts: c.fires.map((f) => ({ exp_labels: f.labels, exp_annotations: { ...f.annotations, ...links(c.alertname) } })),
            },
        ],
    }));
    // Rules are evaluated at the sample interval. Groups of recordings go first in each round
    // (promtool's documented group_eval_order), so an alert reads what was recorded at the same
    // instant; otherwise it would read the previous round's sample, lost past the 5-minute lookback
    // when the interval is longer.
    const recordingsFirst = [...ruleGroups]
        .sort((a, b) => Number(a.rules.some(isAlert)) - Number(b.rules.some(isAlert)))
        .map((g) => g.name);
    return writeYamlFiles({
        "rules.yml": { groups: ruleGroups },
        "tests.yml": { rule_files: ["rules.yml"], evaluation_interval: interval, group_eval_order: recordingsFirst, tests },
    });
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
    expect(alerts.size).toBeGreaterThanOrEqual(7 + 7 + 3 + 4 + BURN_RATE_TIERS.length);
    for (const rule of alerts.values()) {
        expect(Object.keys(rule.labels)).toEqual(expect.arrayContaining(["severity", "team"]));
        // The platform group (ServiceDown: any scrape target) has no service dashboard to link.
        expect(Object.keys(rule.annotations).sort()).toEqual(
            rule.alert === "ServiceDown" ? ["description", "runbook", "summary"] : ["dashboard", "description", "runbook", "summary"],
        );
    }
});

const GW = 'cache="BYPASS",provider="openai"';
const gatewayRequests = (errors: number, ok: number, samples = 30): Array<[string, string]> => [
    [`gateway_requests_5m{status_class="5xx",${GW}}`, `${errors}+0x${samples}`],
    [`gateway_requests_5m{status_class="2xx",${GW}}`, `${ok}+0x${samples}`],
];
const FLEET = 'dimension_AutoScalingGroupName="ops-platform-production-us-east-1-web-1a2b3c4"';
const OTHER_FLEET = 'dimension_AutoScalingGroupName="ops-platform-staging-us-east-1-web-9f8e7d6"';
const WORKER = 'script_name="ops-platform-production-gateway",account="acme"';

/** One case per side of a threshold: past it the alert fires with these labels, at or below it nothing does. */
function thresholdCases(alertname: string, past: Omit<Case, "alertname" | "name">, at: Omit<Case, "alertname" | "name" | "fires">): Case[] {
    return [
        { name: `${alertname} past its threshold`, alertname, ...past },
        { name: `${alertname} at (or just below) its threshold`, alertname, ...at, fires: [] },
    ];
}

describe("each alert fires past its threshold and stays quiet at or just below it, on the exporters' metric names", () => {
    const gateway = { ...SCENARIOS.degraded, team: "backend", service: "gateway" };
    const staleFires = [
        {
            labels: { ...gateway, ...SCENARIOS.sustained, team: "infrastructure" },
            annotations: {
                summary: `No KV export has run for over 25 h ("${KV_EXPORT_CRON}" and 60 min grace)`,
                description:
                    "The scheduled KV export has stopped running: its cron trigger, the gateway script or Analytics Engine; the newest copy in R2 is getting older than the schedule allows",
            },
        },
    ];
    const cases: Record<string, Case[]> = {
        gateway: [
            ...thresholdCases(
                "GatewayHighErrorRate",
                {
                    series: gatewayRequests(6, 94),
                    evalTime: "15m",
                    fires: [
                        {
                            labels: gateway,
                            annotations: {
                                summary: "High error rate on the gateway",
                                description: "6% of chat completions answered 5xx over 5 minutes",
                            },
                        },
                    ],
                },
                { series: gatewayRequests(5, 95), evalTime: "15m" },
            ),
            ...thresholdCases(
                "GatewayWorkerErrors",
                {
                    series: [
                        [`cloudflare_worker_requests_count{${WORKER}}`, "0+100x30"],
                        [`cloudflare_worker_errors_count{${WORKER}}`, "0+6x30"],
                    ],
                    evalTime: "15m",
                    fires: [
                        {
                            labels: gateway,
                            annotations: {
                                summary: "The gateway Worker is failing invocations",
                                description: "6% of the Worker's invocations threw or hit a limit (Cloudflare's analytics)",
                            },
                        },
                    ],
                },
                // Another script's errors (another environment's Worker in the same account) do not count.
                {
                    series: [
                        [`cloudflare_worker_requests_count{${WORKER}}`, "0+100x30"],
                        [`cloudflare_worker_errors_count{${WORKER}}`, "0+5x30"],
                        ['cloudflare_worker_errors_count{script_name="ops-platform-staging-gateway",account="acme"}', "0+90x30"],
                        ['cloudflare_worker_requests_count{script_name="ops-platform-staging-gateway",account="acme"}', "0+100x30"],
                    ],
                    evalTime: "15m",
                },
            ),
            ...thresholdCases(
                "GatewayHighLatency",
                {
                    series: [["gateway_overhead_duration_p95_ms", "181+0x30"]],
                    evalTime: "20m",
                    fires: [
                        {
                            labels: { ...gateway, ...SCENARIOS.sustained },
                            annotations: {
                                summary: "Gateway p95 above its 180 ms KPI",
                                description: "The gateway's own p95 (the provider's wait excluded) is 181ms",
                            },
                        },
                    ],
                },
                { series: [["gateway_overhead_duration_p95_ms", "180+0x30"]], evalTime: "20m" },
            ),
            ...thresholdCases(
                "GatewayHighLatencyP99",
                {
                    series: [["gateway_overhead_duration_p99_ms", "421+0x30"]],
                    evalTime: "20m",
                    fires: [
                        {
                            labels: { ...gateway, ...SCENARIOS.sustained },
                            annotations: {
                                summary: "Gateway p99 above its 420 ms KPI",
                                description: "The gateway's own p99 (the provider's wait excluded) is 421ms",
                            },
                        },
                    ],
                },
                { series: [["gateway_overhead_duration_p99_ms", "420+0x30"]], evalTime: "20m" },
            ),
            ...thresholdCases(
                "GatewayCacheHitRateLow",
                {
                    series: [
                        ['gateway_requests_5m{status_class="2xx",cache="HIT",provider="none"}', "79+0x90"],
                        ['gateway_requests_5m{status_class="2xx",cache="MISS",provider="openai"}', "21+0x90"],
                        ['gateway_requests_5m{status_class="2xx",cache="BYPASS",provider="openai"}', "1000+0x90"],
                    ],
                    evalTime: "75m",
                    fires: [
                        {
                            labels: { ...gateway, ...SCENARIOS.trend },
                            annotations: {
                                summary: "Gateway cache hit rate below 0.80",
                                description: "79% of cacheable requests were answered from the cache over 30 minutes",
                            },
                        },
                    ],
                },
                {
                    series: [
                        ['gateway_requests_5m{status_class="2xx",cache="HIT",provider="none"}', "60+0x90"],
                        ['gateway_requests_5m{status_class="2xx",cache="SHARED",provider="none"}', "20+0x90"],
                        ['gateway_requests_5m{status_class="2xx",cache="MISS",provider="openai"}', "20+0x90"],
                    ],
                    evalTime: "75m",
                },
            ),
            {
                name: "GatewayProviderFailing: openai past 5%, anthropic at 5%",
                alertname: "GatewayProviderFailing",
                series: [
                    ['gateway_upstream_attempts_5m{provider="openai",outcome="failed"}', "6+0x30"],
                    ['gateway_upstream_attempts_5m{provider="openai",outcome="ok"}', "94+0x30"],
                    ['gateway_upstream_attempts_5m{provider="anthropic",outcome="failed"}', "5+0x30"],
                    ['gateway_upstream_attempts_5m{provider="anthropic",outcome="ok"}', "95+0x30"],
                ],
                evalTime: "15m",
                fires: [
                    {
                        labels: { ...gateway, ...SCENARIOS.sustained, provider: "openai" },
                        annotations: {
                            summary: "Calls to openai are failing",
                            description:
                                "6% of calls to openai failed over 5 minutes: a provider is failed over; the rate limiter answers 503 or serves unlimited (edge.rateLimit.onFailure)",
                        },
                    },
                ],
            },
            {
                // Two clients' spend on openai adds up past the $500 default; anthropic's $400 stays quiet.
                name: "GatewayProviderSpendHigh: a provider's 24 hours across clients past the threshold, another under it",
                alertname: "GatewayProviderSpendHigh",
                series: [
                    ['gateway_usage_cost_usd_24h{client="search",provider="openai",model="gpt-4o-mini"}', "300+0x60"],
                    ['gateway_usage_cost_usd_24h{client="chat",provider="openai",model="gpt-4o-mini"}', "250+0x60"],
                    ['gateway_usage_cost_usd_24h{client="chat",provider="anthropic",model="claude-sonnet-4-5"}', "400+0x60"],
                ],
                evalTime: "30m",
                fires: [
                    {
                        labels: { ...gateway, ...SCENARIOS.sustained, provider: "openai" },
                        annotations: {
                            summary: "openai spend over the last 24 hours above $500",
                            description:
                                "The gateway's answers from openai cost $550.00 over 24 hours, at the price table's prices; the usage dashboard shows which client and model",
                        },
                    },
                ],
            },
            {
                name: "GatewayCircuitOpen: requests skipping openai fire, none skipping anthropic do not",
                alertname: "GatewayCircuitOpen",
                series: [
                    ['gateway_upstream_attempts_5m{provider="openai",outcome="circuit_open"}', "3+0x30"],
                    ['gateway_upstream_attempts_5m{provider="anthropic",outcome="circuit_open"}', "0+0x30"],
                ],
                evalTime: "15m",
                fires: [
                    {
                        labels: { ...gateway, ...SCENARIOS.sustained, provider: "openai" },
                        annotations: {
                            summary: "openai's circuit is open",
                            description: "3 requests skipped openai in the last 5 minutes after repeated failures",
                        },
                    },
                ],
            },
            {
                name: "GatewayKvExportFailed: the newest run failed",
                alertname: "GatewayKvExportFailed",
                series: [['gateway_kv_export_runs{last_outcome="failed"}', "3+0x30"]],
                evalTime: "15m",
                fires: [
                    {
                        labels: { ...gateway, ...SCENARIOS.sustained, team: "infrastructure", last_outcome: "failed" },
                        annotations: {
                            summary: "The newest KV export to R2 failed",
                            description:
                                "The gateway's scheduled KV export failed (skipped: the gateway is misconfigured, see /health); the previous exports stay in R2 until their retention",
                        },
                    },
                ],
            },
            {
                name: "GatewayKvExportFailed: quiet once a later run succeeded",
                alertname: "GatewayKvExportFailed",
                series: [['gateway_kv_export_runs{last_outcome="ok"}', "4+0x30"]],
                evalTime: "15m",
                fires: [],
            },
            {
                name: "EndpointDown: failing 5 minutes fires, 4 minutes does not",
                alertname: "EndpointDown",
                series: [
                    ['probe_success{job="blackbox-public-endpoints",instance="https://api.example.com/health"}', "1 1 0 0 0 0 0 0 0 0"],
                    ['probe_success{job="blackbox-public-endpoints",instance="https://api-dev.example.com/health"}', "1 1 0 0 0 0 1 1 1 1"],
                ],
                evalTime: "8m",
                fires: [
                    {
                        labels: {
                            ...SCENARIOS.down,
                            team: "infrastructure",
                            service: "gateway",
                            job: "blackbox-public-endpoints",
                            instance: "https://api.example.com/health",
                        },
                        annotations: {
                            summary: "https://api.example.com/health does not answer",
                            description: "The blackbox probe of https://api.example.com/health has failed for 5 minutes",
                        },
                    },
                ],
            },
            {
                name: "CertificateExpiringSoon: 13 days left fires, just over 14 does not",
                alertname: "CertificateExpiringSoon",
                series: [
                    ['probe_ssl_earliest_cert_expiry{instance="https://soon.example.com"}', `${13 * 86400}+0x150`],
                    ['probe_ssl_earliest_cert_expiry{instance="https://later.example.com"}', `${14 * 86400 + 7200 + 600}+0x150`],
                ],
                evalTime: "2h",
                fires: [
                    {
                        labels: { ...SCENARIOS.trend, team: "infrastructure", instance: "https://soon.example.com" },
                        annotations: {
                            summary: "SSL certificate expiring soon",
                            description: "Certificate for https://soon.example.com expires in 12.92 days",
                        },
                    },
                ],
            },
        ],
        // A day and more of samples: at 5-minute steps, as the schedule's scale allows.
        "gateway (5-minute steps)": [
            // The production schedule runs daily at 03:00: stale 25 h (90,000 s) after its newest run.
            // promtool's clock starts at 0, so a run 40,000 s before the test is 90,000 s old at 13h53m20s.
            {
                name: "GatewayKvExportStale: quiet while the newest run is within its schedule and grace",
                alertname: "GatewayKvExportStale",
                interval: "5m",
                series: [['gateway_kv_export_newest_run_timestamp_seconds{last_outcome="failed"}', "-40000+0x180"]],
                evalTime: "13h50m",
                fires: [],
            },
            {
                name: "GatewayKvExportStale: fires once the newest run is older than the schedule allows",
                alertname: "GatewayKvExportStale",
                interval: "5m",
                series: [['gateway_kv_export_newest_run_timestamp_seconds{last_outcome="ok"}', "-40000+0x180"]],
                evalTime: "14h10m",
                fires: staleFires,
            },
            {
                // No run left in the query's window answers no row (HAVING): no series at all.
                name: "GatewayKvExportStale: fires when no run has been seen for as long as one may be late",
                alertname: "GatewayKvExportStale",
                interval: "5m",
                series: [['gateway_kv_export_newest_run_timestamp_seconds{last_outcome="ok"}', "_x330"]],
                evalTime: "25h15m",
                fires: staleFires,
            },
        ],
        web: [
            ...thresholdCases(
                "WebHighErrorRate",
                {
                    series: [
                        ['aws_applicationelb_request_count_sum{dimension_LoadBalancer="app/a/1"}', "1000+0x30"],
                        ['aws_applicationelb_httpcode_target_5_xx_count_sum{dimension_LoadBalancer="app/a/1"}', "30+0x30"],
                        ['aws_applicationelb_httpcode_elb_5_xx_count_sum{dimension_LoadBalancer="app/a/1"}', "21+0x30"],
                    ],
                    evalTime: "15m",
                    fires: [
                        {
                            labels: { ...gateway, service: "web" },
                            annotations: {
                                summary: "High error rate on web",
                                description: "5.1% of the load balancers' requests answered 5xx over 5 minutes",
                            },
                        },
                    ],
                },
                {
                    series: [
                        ['aws_applicationelb_request_count_sum{dimension_LoadBalancer="app/a/1"}', "1000+0x30"],
                        ['aws_applicationelb_httpcode_target_5_xx_count_sum{dimension_LoadBalancer="app/a/1"}', "30+0x30"],
                        ['aws_applicationelb_httpcode_elb_5_xx_count_sum{dimension_LoadBalancer="app/a/1"}', "20+0x30"],
                    ],
                    evalTime: "15m",
                },
            ),
            {
                // CloudWatch reports a 5xx count only once it is non-zero: one kind alone still counts.
                name: "WebHighErrorRate with only the load balancer's own 5xx reported",
                alertname: "WebHighErrorRate",
                series: [
                    ['aws_applicationelb_request_count_sum{dimension_LoadBalancer="app/a/1"}', "1000+0x30"],
                    ['aws_applicationelb_httpcode_elb_5_xx_count_sum{dimension_LoadBalancer="app/a/1"}', "60+0x30"],
                ],
                evalTime: "15m",
                fires: [
                    {
                        labels: { ...gateway, service: "web" },
                        annotations: {
                            summary: "High error rate on web",
                            description: "6% of the load balancers' requests answered 5xx over 5 minutes",
                        },
                    },
                ],
            },
            {
                name: "WebHighErrorRate with no 5xx reported at all",
                alertname: "WebHighErrorRate",
                series: [['aws_applicationelb_request_count_sum{dimension_LoadBalancer="app/a/1"}', "1000+0x30"]],
                evalTime: "15m",
                fires: [],
            },
            ...thresholdCases(
                "WebHighLatency",
                {
                    series: [['aws_applicationelb_target_response_time_p95{dimension_LoadBalancer="app/a/1"}', "1.01+0x30"]],
                    evalTime: "20m",
                    fires: [
                        {
                            labels: { ...gateway, service: "web", ...SCENARIOS.sustained },
                            annotations: { summary: "High p95 latency on web", description: "The targets' p95 response time is 1.01s" },
                        },
                    ],
                },
                { series: [['aws_applicationelb_target_response_time_p95{dimension_LoadBalancer="app/a/1"}', "1+0x30"]], evalTime: "20m" },
            ),
            {
                name: "WebNoHealthyHosts: a target group with none fires, one with one does not",
                alertname: "WebNoHealthyHosts",
                series: [
                    [
                        'aws_applicationelb_healthy_host_count_minimum{dimension_LoadBalancer="app/a/1",dimension_TargetGroup="targetgroup/a/1"}',
                        "0+0x10",
                    ],
                    [
                        'aws_applicationelb_healthy_host_count_minimum{dimension_LoadBalancer="app/b/2",dimension_TargetGroup="targetgroup/b/2"}',
                        "1+0x10",
                    ],
                ],
                evalTime: "8m",
                fires: [
                    {
                        labels: { ...SCENARIOS.down, team: "infrastructure", service: "web", dimension_TargetGroup: "targetgroup/a/1" },
                        annotations: {
                            summary: "No healthy web host behind targetgroup/a/1",
                            description: "The target group has had no healthy host for 5 minutes",
                        },
                    },
                ],
            },
            {
                name: "HighCPUUsage: 86% fires, 85% does not",
                alertname: "HighCPUUsage",
                series: [
                    ['aws_ec2_cpuutilization_average{dimension_InstanceId="i-busy"}', "86+0x30"],
                    ['aws_ec2_cpuutilization_average{dimension_InstanceId="i-fine"}', "85+0x30"],
                ],
                evalTime: "20m",
                fires: [
                    {
                        labels: { ...SCENARIOS.sustained, team: "infrastructure", dimension_InstanceId: "i-busy" },
                        annotations: { summary: "High CPU usage on i-busy", description: "CPU usage is 86% on i-busy" },
                    },
                ],
            },
            ...(["HighMemoryUsage", "HighDiskUsage"] as const).map((alertname): Case => {
                const [metric, extra, what] =
                    alertname === "HighMemoryUsage"
                        ? ["aws_cwagent_mem_used_percent_average", "", "Memory use"]
                        : ["aws_cwagent_disk_used_percent_average", ',dimension_path="/",dimension_fstype="ext4"', "Disk use of /"];
                const at = (instance: string, value: number, fleet = FLEET, more = extra): [string, string] => [
                    `${metric}{${fleet},dimension_InstanceId="${instance}"${more}}`,
                    `${value}+0x30`,
                ];
                const fired = (instance: string, scenario: "sustained" | "degraded", threshold: number, value: number) => ({
                    labels: { ...SCENARIOS[scenario], team: "infrastructure", dimension_InstanceId: instance },
                    annotations: {
                        summary: `${what} above ${threshold}% on ${instance}`,
                        description: `${what} is ${value}% on ${instance}`,
                    },
                });
                return {
                    name: `${alertname}: warning past 70%, critical past 85%; this stack's fleet only`,
                    alertname,
                    series: [
                        at("i-warm", 71),
                        at("i-hot", 86),
                        at("i-fine", 70),
                        at("i-other-env", 99, OTHER_FLEET),
                        ...(extra ? [at("i-data-disk", 99, FLEET, ',dimension_path="/data",dimension_fstype="ext4"')] : []),
                    ],
                    evalTime: "20m",
                    fires: [fired("i-warm", "sustained", 70, 71), fired("i-hot", "sustained", 70, 86), fired("i-hot", "degraded", 85, 86)],
                };
            }),
            {
                name: "DiskWillFillIn4Hours: a trend that fills / in under 4h fires, one that just does not stays quiet",
                alertname: "DiskWillFillIn4Hours",
                series: [
                    [`aws_cwagent_disk_used_percent_average{${FLEET},dimension_InstanceId="i-filling",dimension_path="/"}`, "50+0.17x80"],
                    [`aws_cwagent_disk_used_percent_average{${FLEET},dimension_InstanceId="i-steady",dimension_path="/"}`, "50+0.16x80"],
                ],
                evalTime: "70m",
                fires: [
                    {
                        labels: {
                            ...SCENARIOS.degraded,
                            team: "infrastructure",
                            dimension_AutoScalingGroupName: "ops-platform-production-us-east-1-web-1a2b3c4",
                            dimension_InstanceId: "i-filling",
                            dimension_path: "/",
                        },
                        annotations: {
                            summary: "Disk will fill on i-filling",
                            description: "The root filesystem will fill in approximately 4 hours at the last hour's rate",
                        },
                    },
                ],
            },
        ],
        platform: [
            {
                name: "ServiceDown: down 5 minutes fires, down 4 minutes does not, a control-plane target elsewhere never",
                alertname: "ServiceDown",
                series: [
                    ['up{job="cloudwatch-exporter",instance="a:5000",namespace="monitoring"}', "1 1 0 0 0 0 0 0 0 0"],
                    ['up{job="cloudwatch-exporter",instance="b:5000",namespace="monitoring"}', "1 1 0 0 0 0 1 1 1 1"],
                    // kube-proxy listens on 127.0.0.1 on managed clusters: always down, nobody's to fix.
                    ['up{job="kube-proxy",instance="10.0.1.5:10249",namespace="kube-system"}', "0 0 0 0 0 0 0 0 0 0"],
                ],
                evalTime: "8m",
                fires: [
                    {
                        labels: {
                            ...SCENARIOS.degraded,
                            team: "infrastructure",
                            job: "cloudwatch-exporter",
                            instance: "a:5000",
                            namespace: "monitoring",
                        },
                        annotations: {
                            summary: "Service cloudwatch-exporter is down",
                            description: "a:5000 of job cloudwatch-exporter has been down for more than 5 minutes",
                        },
                    },
                ],
            },
        ],
    };
    // Every alert outside the SLO and backup groups has a case here.
    it("covers every service and platform alert", () => {
        const covered = new Set(
            Object.values(cases)
                .flat()
                .map((c) => c.alertname),
        );
        const serviceAlerts = groups.filter((g) => g.name in cases).flatMap((g) => g.rules.filter(isAlert).map((r) => r.alert));
        expect(serviceAlerts.filter((a) => !covered.has(a))).toEqual([]);
    });

    // Each group's promtool run takes seconds; they are independent, so they run side by side.
    const runs = new Map<string, Promise<{ status: number | null; output: string }>>();
    beforeAll(() => {
        for (const [group, list] of Object.entries(cases)) {
            runs.set(
                group,
                runSystemToolAsync(
                    "promtool",
                    ["test", "rules", "tests.yml"],
                    promtoolFiles(
                        list,
                        groups.filter((g) => g.name === group.split(" ")[0]),
                    ),
                ),
            );
        }
    });
    it.each(Object.keys(cases))("%s", async (group) => {
        const result = await runs.get(group)!;
        expect([result.status, result.output]).toEqual([0, expect.stringContaining("SUCCESS")]);
    });
});

describe("WebHighErrorRate on the ALB series as YACE sends them with its job's settings (exporterConfigs.ts)", () => {
    const albJob = yaceConfig(["us-east-1"], "production").discovery.jobs.find(
        (j) => j.type === "AWS/ApplicationELB" && j.metrics.some((m) => m.name === "HTTPCode_Target_5XX_Count"),
    )!;
    const MINUTES = 30;
    const every = (value: number | undefined) => Array.from({ length: MINUTES }, () => value);
    const series = (lb: string, metric: string, minutes: Array<number | undefined>): [string, string] => [
        // The labels YACE's discovery jobs put on a series: the resource's ARN as name, region, account, dimensions.
        `aws_applicationelb_${metric}_sum{name="arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/${lb}",region="us-east-1",account_id="111122223333",dimension_LoadBalancer="${lb}"}`,
        yaceStored(minutes, albJob),
    ];
    const web = { ...SCENARIOS.degraded, team: "backend", service: "web" };

    it("counts a 5xx count reported only in minutes with errors once: a true 4% stays quiet", () => {
        // CloudWatch has a 5xx datapoint every other minute only: 8 of 100, then none.
        const errors = Array.from({ length: MINUTES }, (_, m) => (m % 2 === 0 ? 8 : undefined));
        const result = promtoolTest([
            {
                name: "intermittent 5xx at 4%",
                alertname: "WebHighErrorRate",
                series: [series("app/a/1", "request_count", every(100)), series("app/a/1", "httpcode_target_5_xx_count", errors)],
                evalTime: "25m",
                fires: [],
            },
        ]);
        expect([result.status, result.output]).toEqual([0, expect.stringContaining("SUCCESS")]);
    });

    it("is not blinded by a load balancer whose 5xx metric CloudWatch lists but holds no datapoint for", () => {
        const result = promtoolTest([
            {
                name: "one load balancer at 13% 5xx beside one with none",
                alertname: "WebHighErrorRate",
                series: [
                    series("app/a/1", "request_count", every(200)),
                    series("app/a/1", "httpcode_target_5_xx_count", every(26)),
                    series("app/b/2", "request_count", every(100)),
                    series("app/b/2", "httpcode_target_5_xx_count", every(undefined)),
                    series("app/b/2", "httpcode_elb_5_xx_count", every(undefined)),
                ],
                evalTime: "25m",
                fires: [
                    {
                        labels: web,
                        annotations: {
                            summary: "High error rate on web",
                            description: "8.667% of the load balancers' requests answered 5xx over 5 minutes",
                        },
                    },
                ],
            },
        ]);
        expect([result.status, result.output]).toEqual([0, expect.stringContaining("SUCCESS")]);
    });
});

it("makes a failed backup and a day without a completed backup alerts", () => {
    const result = promtoolTest(
        [
            {
                name: "BackupJobFailed fires on a failed EC2 backup only",
                series: [
                    ['aws_backup_number_of_backup_jobs_failed_sum{dimension_ResourceType="EC2"}', "0 0 1 1 1"],
                    ['aws_backup_number_of_backup_jobs_failed_sum{dimension_ResourceType="EBS"}', "0 0 0 0 0"],
                ],
                evalTime: "3m",
                alertname: "BackupJobFailed",
                fires: [
                    {
                        labels: { ...SCENARIOS.degraded, team: "infrastructure", dimension_ResourceType: "EC2" },
                        annotations: {
                            summary: "AWS Backup jobs failed for EC2",
                            description: "1 backup job(s) failed; the tier's RPO is at risk",
                        },
                    },
                ],
            },
            {
                name: "BackupMissing fires when no job completed in 26h",
                series: [['aws_backup_number_of_backup_jobs_completed_sum{dimension_ResourceType="EC2"}', "0+0x30"]],
                evalTime: "20m",
                alertname: "BackupMissing",
                fires: [
                    {
                        labels: { ...SCENARIOS.degraded, team: "infrastructure" },
                        annotations: {
                            summary: "No backup completed in 26h",
                            description: "No AWS Backup job has completed; check the plans, the selections and the exporter",
                        },
                    },
                ],
            },
            {
                name: "BackupMissing stays quiet while jobs complete",
                series: [['aws_backup_number_of_backup_jobs_completed_sum{dimension_ResourceType="EC2"}', "0 1 0 0 0 0"]],
                evalTime: "5m",
                alertname: "BackupMissing",
                fires: [],
            },
        ],
        groups.filter((g) => g.name === "backups"),
    );
    expect(result.output).toContain("SUCCESS");
});

describe("burn-rate alerts", () => {
    // The cases below scale with each window's own factor and `for`, so the seeds' figures are pinned here.
    it("pages at 14.4x and warns at 6x over 30 days (the monitoring requirements), over the SRE workbook's 1h/5m and 6h/30m windows", () => {
        const byFactor = (factor: number) => BURN_RATE_TIERS.find((w) => burnRateFactor(w, 30) === factor);
        expect(byFactor(14.4)).toMatchObject({ scenario: "degraded", long: "1h", short: "5m" });
        expect(byFactor(6)).toMatchObject({ scenario: "sustained", long: "6h", short: "30m" });
        expect(BURN_RATE_TIERS.map((w) => burnRateFactor(w, 30))).toEqual([14.4, 6, 3, 1]);
    });

    it("follows monitoring.sloWindowDays: a 90-day budget burns at three times the 30-day factors, in the alert and its text", () => {
        expect(BURN_RATE_TIERS.map((w) => burnRateFactor(w, 90))).toEqual([43.2, 18, 9, 3]);
        const quarter = validateConfig(withKey("production", "monitoring", { sloWindowDays: 90 }, true));
        const alert = platformRuleGroups(quarter.monitoring, CTX, quarter.fleet.alarms)
            .flatMap((g) => g.rules.filter(isAlert))
            .find((r) => r.alert === `${pascal(config.slos[0]!.name)}${BURN_RATE_TIERS[0]!.name}`)!;
        expect(alert.expr).toContain("> (43.2 * 0.001)");
        expect(alert.annotations["description"]).toContain("burn the 90-day budget of 99.9% at over 43.2x");
    });

    it("refuses an objective whose page could never fire over a long window: its threshold is an error ratio above 1", () => {
        const yearly = withKey(
            "production",
            "monitoring",
            { sloWindowDays: 365, slos: [{ name: "gw", service: "gateway", objective: 99 }] },
            true,
        );
        expect(problemsOf(yearly)).toEqual([
            "production: ops-platform:monitoring.slos[0].objective: 99% over 365 days makes the 1h burn-rate alert fire only above an error ratio of 1.752, which no ratio reaches; expected a higher objective or a shorter window",
        ]);
    });

    it("refuses an SLO window the tiers do not support, naming the key", () => {
        expect(MIN_SLO_WINDOW_DAYS).toBe(30);
        expect(problemsOf(withKey("production", "monitoring", { sloWindowDays: 7 }, true))).toEqual([
            "production: ops-platform:monitoring.sloWindowDays: 7 is too short for the burn-rate alerts: the 3d tier would fire at a burn rate of 0.2333x, which never spends the budget; expected at least 30",
        ]);
    });

    const slo = config.slos[0]!;
    const budget = 1 - slo.objective / 100;
    // Each window's evaluation takes seconds; they are independent, so they run side by side.
    const runs = new Map<string, Promise<{ status: number | null; output: string }>>();
    const casesFor = (w: (typeof BURN_RATE_TIERS)[number]) => {
        const minutes = (d: string) => Number(d.slice(0, -1)) * { m: 1, h: 60, d: 1440 }[d.slice(-1) as "m" | "h" | "d"];
        // A sixth of the short window keeps several samples in every rate() while a 3-day window stays a few hundred steps.
        const step = [30, 15, 5, 1].find((m) => m <= minutes(w.short) / 6) ?? 1;
        const samples = Math.ceil((minutes(w.long) + minutes(w.for) + 30) / step);
        const perStep = 1000 * step;
        // The gateway's request counts as the Analytics Engine exporter gives them: per recent window.
        const series = (burn: number): Array<[string, string]> =>
            gatewayRequests(perStep * budget * burn, perStep * (1 - budget * burn), samples);
        const alertname = `${pascal(slo.name)}${w.name}`;
        const expected = {
            labels: { ...SCENARIOS[w.scenario], team: "backend", slo: slo.name, service: slo.service, long_window: w.long },
            annotations: {
                summary: alerts.get(alertname)!.annotations["summary"]!,
                description: alerts.get(alertname)!.annotations["description"]!,
            },
        };
        const evalTime = `${(samples - 2) * step}m`;
        const interval = `${step}m`;
        return [
            {
                name: `${w.name} fast`,
                interval,
                series: series(burnRateFactor(w, config.sloWindowDays) * 1.5),
                evalTime,
                alertname,
                fires: [expected],
            },
            {
                name: `${w.name} slow`,
                interval,
                series: series(burnRateFactor(w, config.sloWindowDays) * 0.7),
                evalTime,
                alertname,
                fires: [],
            },
        ];
    };
    // Each window's alert and the two ratios it reads, as generated: the other windows' and the
    // 30-day recordings are read by no rule under test, and would only make promtool evaluate
    // ranges of up to 30 days at every step.
    const sloGroups = groups.filter((g) => g.name.startsWith(`slo-${slo.name}`));
    const sloGroupsFor = (w: (typeof BURN_RATE_TIERS)[number]) => {
        const reads = new Set([w.short, w.long].map((window) => `slo:sli_error:ratio_rate${window}`));
        return sloGroups.map((g) => ({
            ...g,
            rules: g.rules.filter((r) => (isAlert(r) ? r.alert === `${pascal(slo.name)}${w.name}` : reads.has(r.record))),
        }));
    };

    beforeAll(() => {
        for (const w of BURN_RATE_TIERS)
            runs.set(w.name, runSystemToolAsync("promtool", ["test", "rules", "tests.yml"], promtoolFiles(casesFor(w), sloGroupsFor(w))));
    });

    it.each(BURN_RATE_TIERS.map((w) => [w.name] as const))("%s fires for a fast burn and not for a slow one", async (name) => {
        expect(sloGroups.length).toBeGreaterThan(0);
        const result = await runs.get(name)!;
        expect([result.status, result.output]).toEqual([0, expect.stringContaining("SUCCESS")]);
    });
});

it("every dashboard query is valid PromQL", () => {
    const dashboards = platformDashboards(config, CTX);
    expect(new Set(dashboards.map((d) => d.uid)).size).toBe(dashboards.length);
    const rules = dashboards.flatMap(dashboardExpressions).map((expr, i) => ({ record: `dashboard:query:${i}`, expr }));
    const dir = writeYamlFiles({ "dashboards.yml": { groups: [{ name: "dashboard-queries", rules }] } });
    const result = runSystemTool("promtool", ["check", "rules", "dashboards.yml"], dir);
    expect(result.output).toContain("SUCCESS");
});

it.each([['{provider="openai"}'], ['provider="openai"'], ['{ provider="openai", cache!="HIT" }']])(
    "an SLO selected by %s yields rules promtool accepts, without doubled braces",
    (selector) => {
        const config = validateConfig(
            withKey("production", "monitoring", { slos: [{ name: "gw", service: "gateway", objective: 99.9, selector }] }, true),
        );
        const sloGroups = platformRuleGroups(config.monitoring, CTX, config.fleet.alarms).filter((g) => g.name.startsWith("slo-gw"));
        const exprs = sloGroups.flatMap((g) => g.rules.map((r) => r.expr));
        expect(exprs.length).toBeGreaterThan(0);
        for (const expr of exprs) expect(expr).not.toMatch(/\{\s*\{|\}\s*\}/);
        const dir = writeYamlFiles({ "rules.yml": { groups: sloGroups } });
        const result = runSystemTool("promtool", ["check", "rules", "rules.yml"], dir);
        expect([result.status, result.output]).toEqual([0, expect.stringContaining("SUCCESS")]);
    },
);

it("labels alerts with the teams from config, and routes the infrastructure team's to its own Slack", async () => {
    const { routingFor } = await import("../../components/monitoring/alertRouting");
    const config = validateConfig(withKey("production", "monitoring", { teams: { service: "payments", infrastructure: "sre" } }, true));
    const teams = new Set(
        platformRuleGroups(config.monitoring, CTX, config.fleet.alarms).flatMap((g) =>
            g.rules.filter(isAlert).map((r) => r.labels["team"]),
        ),
    );
    expect([...teams].sort()).toEqual(["payments", "sre"]);
    const infrastructureRoutes = routingFor({ paging: true, infrastructureTeam: "sre", patchWindows: [] }).routes.filter(
        (r) => r.receiver === "slack-infrastructure",
    );
    // Every route to the infrastructure channel selects the configured team.
    expect(infrastructureRoutes.length).toBeGreaterThan(0);
    for (const route of infrastructureRoutes) expect(route.matchers).toContain('team="sre"');
});

describe("one fact in one place: what an alert links to, which alerts a stack runs, and their thresholds", () => {
    const dashboardUid = (rule: AlertRule) => rule.annotations["dashboard"]?.replace(`${config.grafanaBaseUrl}/d/`, "");
    it.each<[Array<"gateway" | "web">]>([[["gateway", "web"]], [["gateway"]], [["web"]]])(
        "with monitoring.services %j, every alert is of a monitored service and links a deployed dashboard",
        (services) => {
            const c = validateConfig(
                withKey("production", "monitoring", { services, slos: services.includes("gateway") ? config.slos : [] }, true),
            );
            const rules = platformRuleGroups(c.monitoring, CTX, c.fleet.alarms).flatMap((g) => g.rules.filter(isAlert));
            const deployed = new Set(platformDashboards(c.monitoring, CTX).map((d) => d.uid));
            for (const rule of rules) {
                const uid = dashboardUid(rule);
                if (uid !== undefined) expect([rule.alert, deployed.has(uid)]).toEqual([rule.alert, true]);
            }
            const names = new Set(rules.map((r) => r.alert));
            expect(names.has("WebHighErrorRate")).toBe(services.includes("web"));
            expect(names.has("GatewayHighErrorRate")).toBe(services.includes("gateway"));
        },
    );

    it("links EndpointDown, the probe of the gateway's /health, to the gateway's dashboard", () => {
        expect(dashboardUid(alerts.get("EndpointDown")!)).toBe("golden-gateway");
    });

    it("puts the fleet's CloudWatch thresholds (fleet.alarms) into the web alerts too", () => {
        const c = validateConfig(withKey("production", "fleet", { alarms: { error5xxRatio: 0.02, cpuPercent: 75, cpuMinutes: 15 } }, true));
        const rules = new Map(
            platformRuleGroups(c.monitoring, CTX, c.fleet.alarms)
                .flatMap((g) => g.rules.filter(isAlert))
                .map((r) => [r.alert, r]),
        );
        expect(rules.get("WebHighErrorRate")!.expr).toMatch(/\n> 0\.02$/);
        expect([rules.get("HighCPUUsage")!.expr.endsWith("> 75"), rules.get("HighCPUUsage")!.for]).toEqual([true, "15m"]);
    });

    it("reads the Prometheus-only thresholds from monitoring.thresholds", () => {
        const c = validateConfig(
            withKey("production", "monitoring", { thresholds: { gatewayP95Ms: 250, saturationWarningPercent: 60 } }, true),
        );
        const rules = platformRuleGroups(c.monitoring, CTX, c.fleet.alarms).flatMap((g) => g.rules.filter(isAlert));
        const latency = rules.find((r) => r.alert === "GatewayHighLatency")!;
        expect([latency.expr, latency.annotations["summary"]]).toEqual([
            "max(gateway_overhead_duration_p95_ms) / 1000 > 0.25",
            "Gateway p95 above its 250 ms KPI",
        ]);
        expect(rules.filter((r) => r.alert === "HighMemoryUsage").map((r) => r.expr.split(" > ").pop())).toEqual(["60", "85"]);
    });

    it("refuses an SLO of a service that is not monitored, and a warning at or above its critical level", () => {
        expect(
            problemsOf(withKey("production", "monitoring", { services: ["web"], thresholds: { saturationWarningPercent: 90 } }, true)),
        ).toEqual([
            "production: ops-platform:monitoring.slos[0].service: gateway is not in monitoring.services (web); expected a monitored service, or add it there",
            "production: ops-platform:monitoring.thresholds.saturationWarningPercent: 90 is not below saturationCriticalPercent 85; expected the warning first",
        ]);
    });
});

it("the KV export is watched only while it runs: no schedule, no KV export alerts", () => {
    const kvAlerts = (cron?: string) =>
        platformRuleGroups(config, CTX, FLEET_ALARMS, cron)
            .flatMap((g) => g.rules.filter(isAlert).map((r) => r.alert))
            .filter((a) => a.startsWith("GatewayKvExport"));
    expect(kvAlerts(KV_EXPORT_CRON)).toEqual(["GatewayKvExportFailed", "GatewayKvExportStale"]);
    expect(kvAlerts()).toEqual([]);
});
