/**
 * What the exporters are told to read, and the metric names that makes them produce, as pure
 * functions: CloudWatchExporter and GatewayAnalyticsExporter deploy these configs, and
 * tests/monitoring/metrics.test.ts checks the names against the metrics table.
 */
import { stringify } from "yaml";
import { column } from "../../workers/gateway/src/analyticsColumns";
import { kvExportWindowDays } from "../edge/kvExportRhythm";

/** The Helm repository of kube-prometheus-stack, the blackbox exporter, YACE and json_exporter. */
export const PROMETHEUS_COMMUNITY = "https://prometheus-community.github.io/helm-charts";

/**
 * The Prometheus name YACE gives a CloudWatch metric: `aws_` + namespace + metric + statistic,
 * snake-cased, an underscore before a capital that follows a lower-case letter or a digit
 * (so 5XX becomes 5_xx), and the namespace's words not repeated: a port of promutil's
 * BuildMetricName and PromString (pkg/promutil/migrate.go), guarded by the README's examples.
 */
export function yaceMetricName(namespace: string, metric: string, statistic: string): string {
    const snake = (text: string) => {
        let out = "";
        let previous = "";
        for (const c of text) {
            if (" ,\t/\\.-:=@<>()".includes(c)) out += "_";
            else if (c === "%") out += "_percent";
            else out += (/[A-Z]/.test(c) && /[a-z0-9]/.test(previous) ? "_" : "") + c.toLowerCase();
            previous = c;
        }
        return out;
    };
    const prefix = snake(namespace.replace(/^\//, "").toLowerCase());
    const full = snake(metric);
    let skip = 0;
    for (const part of prefix.split("_")) if (full.slice(skip).startsWith(part)) skip = part.length;
    return `${prefix.startsWith("aws") ? "" : "aws_"}${prefix}_${full.slice(skip).replace(/^_/, "")}_${snake(statistic)}`;
}

/** Every metric name a YACE config makes (discovery jobs and custom namespaces alike). */
export function yaceMetricNames(config: ReturnType<typeof yaceConfig>): string[] {
    const jobs = [
        ...config.discovery.jobs.map((j) => ({ namespace: j.type, metrics: j.metrics })),
        ...config.customNamespace.map((j) => ({ namespace: j.namespace, metrics: j.metrics })),
    ];
    return jobs.flatMap((j) => j.metrics.flatMap((m) => m.statistics.map((s) => yaceMetricName(j.namespace, m.name, s))));
}

/** YACE reads CloudWatch this often (its scraping-interval), and Prometheus scrapes it as often. */
export const YACE_POLL_SECONDS = 60;

/** YACE's config: what it reads from CloudWatch, in the names metrics.ts lists. */
export function yaceConfig(regions: string[], environment: string) {
    const byEnvironment = [{ key: "Environment", value: environment }];
    // CloudWatch keeps 1-minute datapoints for these; a 5-minute length smooths late ones.
    const job = (
        type: string,
        dimensionNameRequirements: string[],
        metrics: Array<[string, string[]]>,
        extra: Record<string, unknown> = {},
    ) => ({
        type,
        regions,
        searchTags: byEnvironment,
        dimensionNameRequirements,
        period: 60,
        length: 300,
        ...extra,
        metrics: metrics.map(([name, statistics]) => ({ name, statistics })),
    });
    return {
        apiVersion: "v1alpha1",
        "sts-region": regions[0],
        discovery: {
            jobs: [
                // Each CloudWatch minute once, at its own time, and nothing for a minute without a
                // datapoint: without these YACE exports the newest datapoint of its 5 minutes at
                // every poll (a sparse 5xx minute counted up to five times) and NaN when there is
                // none (a sum over it NaN), pkg/promutil/migrate.go BuildMetrics. Prometheus takes
                // the older minutes through its out-of-order window (outOfOrderWindow below).
                job(
                    "AWS/ApplicationELB",
                    ["LoadBalancer"],
                    [
                        ["RequestCount", ["Sum"]],
                        ["HTTPCode_Target_5XX_Count", ["Sum"]],
                        ["HTTPCode_ELB_5XX_Count", ["Sum"]],
                        ["TargetResponseTime", ["p95", "p99"]],
                    ],
                    { addCloudwatchTimestamp: true, exportAllDataPoints: true },
                ),
                // Host counts exist only per target group.
                job("AWS/ApplicationELB", ["LoadBalancer", "TargetGroup"], [["HealthyHostCount", ["Minimum"]]]),
                job("AWS/EC2", ["InstanceId"], [["CPUUtilization", ["Average"]]]),
                // Backup metrics are sparse (only when jobs run): missing datapoints count as 0, over an hour.
                job(
                    "AWS/Backup",
                    ["BackupVaultName", "ResourceType"],
                    [
                        ["NumberOfBackupJobsCompleted", ["Sum"]],
                        ["NumberOfBackupJobsFailed", ["Sum"]],
                        ["NumberOfCopyJobsFailed", ["Sum"]],
                        ["NumberOfRestoreJobsFailed", ["Sum"]],
                    ],
                    { period: 300, length: 3600, nilToZero: true },
                ),
            ],
        },
        // The CloudWatch agent's memory and disk from the instances (components/fleet/userData.ts).
        // A custom namespace is not discovered by tag: rules select this stack's groups by name.
        customNamespace: [
            {
                name: "fleet-agent",
                namespace: "CWAgent",
                regions,
                period: 60,
                length: 300,
                metrics: [
                    { name: "mem_used_percent", statistics: ["Average"] },
                    { name: "disk_used_percent", statistics: ["Average"] },
                ],
            },
        ],
    };
}

/**
 * How far back Prometheus must accept samples (prometheusSpec.tsdb.outOfOrderTimeWindow): the
 * oldest datapoint a job exporting all its datapoints sends is its length old, plus a poll.
 */
export function outOfOrderWindow(config: ReturnType<typeof yaceConfig>): string {
    const lengths = config.discovery.jobs.filter((j) => "exportAllDataPoints" in j && j.exportAllDataPoints).map((j) => j.length);
    return `${Math.max(0, ...lengths) + YACE_POLL_SECONDS}s`;
}

/** The SQL API returns the window's rows; each scrape reads the last 5 minutes. */
const WINDOW = "timestamp > NOW() - INTERVAL '5' MINUTE";

interface JsonMetric {
    name: string;
    type: "object";
    help: string;
    path: string;
    labels?: Record<string, string>;
    values: Record<string, string>;
}

/**
 * One json_exporter module per query: its SQL (over the columns workers/gateway/src/analyticsColumns.ts
 * lays out) and the metrics named from the rows, `<name>_<value>` as json_exporter names them.
 */
const request = (name: Parameters<typeof column<"request">>[1]) => column("request", name);
const attempt = (name: Parameters<typeof column<"attempt">>[1]) => column("attempt", name);
const kvExport = (name: Parameters<typeof column<"kvExport">>[1]) => column("kvExport", name);
const usage = (name: Parameters<typeof column<"usage">>[1]) => column("usage", name);

type JsonModules = Record<string, { sql: string; metrics: JsonMetric[] }>;

/**
 * The modules over the gateway's dataset; the KV export's only when it runs (`kvExportCron`,
 * edge.kvBackup.cron while edge.kvBackup.enabled).
 */
export function gatewayAnalyticsModules(dataset: string, kvExportCron?: string): JsonModules {
    const quantiles = (column: string) =>
        [0.5, 0.95, 0.99].map((q) => `quantileExactWeighted(${q})(${column}, _sample_interval) AS p${Math.round(q * 100)}_ms`).join(", ");
    return {
        gateway_requests: {
            sql: `SELECT ${request("statusClass")} AS status_class, ${request("cache")} AS cache, ${request("provider")} AS provider, SUM(_sample_interval) AS requests FROM ${dataset} WHERE ${request("kind")} = 'request' AND ${WINDOW} GROUP BY status_class, cache, provider FORMAT JSON`,
            metrics: [
                {
                    name: "gateway",
                    type: "object",
                    help: "chat completion requests answered in the last 5 minutes",
                    path: "{.data[*]}",
                    labels: { status_class: "{.status_class}", cache: "{.cache}", provider: "{.provider}" },
                    values: { requests_5m: "{.requests}" },
                },
            ],
        },
        gateway_durations: {
            sql: `SELECT ${quantiles(request("durationMs"))}, ${quantiles(`${request("durationMs")} - ${request("providerWaitMs")}`).replace(/AS p/g, "AS overhead_p")} FROM ${dataset} WHERE ${request("kind")} = 'request' AND ${WINDOW} FORMAT JSON`,
            metrics: [
                {
                    name: "gateway_request_duration",
                    type: "object",
                    help: "request duration over the last 5 minutes, ms, the provider's wait included",
                    path: "{.data[*]}",
                    values: { p50_ms: "{.p50_ms}", p95_ms: "{.p95_ms}", p99_ms: "{.p99_ms}" },
                },
                {
                    name: "gateway_overhead_duration",
                    type: "object",
                    help: "the gateway's own time per request (duration minus the provider's wait), ms",
                    path: "{.data[*]}",
                    values: { p50_ms: "{.overhead_p50_ms}", p95_ms: "{.overhead_p95_ms}", p99_ms: "{.overhead_p99_ms}" },
                },
            ],
        },
        gateway_upstreams: {
            sql: `SELECT ${attempt("provider")} AS provider, ${attempt("outcome")} AS outcome, SUM(_sample_interval) AS attempts FROM ${dataset} WHERE ${attempt("kind")} = 'attempt' AND ${WINDOW} GROUP BY provider, outcome FORMAT JSON`,
            metrics: [
                {
                    name: "gateway_upstream",
                    type: "object",
                    help: "calls to (or skips of) each provider in the last 5 minutes by outcome",
                    path: "{.data[*]}",
                    labels: { provider: "{.provider}", outcome: "{.outcome}" },
                    values: { attempts_5m: "{.attempts}" },
                },
            ],
        },
        gateway_upstream_latency: {
            sql: `SELECT ${attempt("provider")} AS provider, quantileExactWeighted(0.95)(${attempt("ms")}, _sample_interval) AS p95_ms FROM ${dataset} WHERE ${attempt("kind")} = 'attempt' AND ${attempt("outcome")} IN ('ok', 'failed') AND ${WINDOW} GROUP BY provider FORMAT JSON`,
            metrics: [
                {
                    name: "gateway_upstream_latency",
                    type: "object",
                    help: "provider answer time p95 by provider, ms",
                    path: "{.data[*]}",
                    labels: { provider: "{.provider}" },
                    values: { p95_ms: "{.p95_ms}" },
                },
            ],
        },
        // A day of spend, so the daily spend alert and the usage dashboard read one figure; no usage, no series (nothing spent).
        gateway_usage: {
            sql: `SELECT ${usage("client")} AS client, ${usage("provider")} AS provider, ${usage("model")} AS model, SUM(_sample_interval * ${usage("promptTokens")}) AS prompt_tokens, SUM(_sample_interval * ${usage("completionTokens")}) AS completion_tokens, SUM(_sample_interval * ${usage("costUsd")}) AS cost_usd FROM ${dataset} WHERE ${usage("kind")} = 'usage' AND timestamp > NOW() - INTERVAL '1' DAY GROUP BY client, provider, model FORMAT JSON`,
            metrics: [
                {
                    name: "gateway_usage",
                    type: "object",
                    help: "tokens and cost of the answers providers served in the last 24 hours, by client, provider and model",
                    path: "{.data[*]}",
                    labels: { client: "{.client}", provider: "{.provider}", model: "{.model}" },
                    values: {
                        prompt_tokens_24h: "{.prompt_tokens}",
                        completion_tokens_24h: "{.completion_tokens}",
                        cost_usd_24h: "{.cost_usd}",
                    },
                },
            ],
        },
        ...(kvExportCron === undefined ? {} : kvExportModules(dataset, kvExportCron)),
    };
}

function kvExportModules(dataset: string, cron: string): JsonModules {
    const days = kvExportWindowDays(cron);
    return {
        // The newest run's outcome (argMax, developers.cloudflare.com/changelog/2025-09-26-analytics-engine-sql-enhancements)
        // and time: a failed run alerts until a later one succeeds, and no run for longer than the
        // schedule allows alerts too. HAVING drops the row of defaults an aggregate over no rows
        // answers (epoch 0, as ClickHouse does), so no run in the window reads as no series.
        gateway_kv_exports: {
            sql: `SELECT argMax(${kvExport("outcome")}, timestamp) AS last_outcome, SUM(_sample_interval) AS runs, toUnixTimestamp(MAX(timestamp)) AS newest_run FROM ${dataset} WHERE ${kvExport("kind")} = 'kvExport' AND timestamp > NOW() - INTERVAL '${days}' DAY HAVING runs > 0 FORMAT JSON`,
            metrics: [
                {
                    name: "gateway_kv_export",
                    type: "object",
                    help: `scheduled KV export runs in the last ${days} days, labelled with the newest run's outcome`,
                    path: "{.data[*]}",
                    labels: { last_outcome: "{.last_outcome}" },
                    values: { runs: "{.runs}", newest_run_timestamp_seconds: "{.newest_run}" },
                },
            ],
        },
    };
}

/** Where json_exporter's pod mounts the SQL API token. */
export const GATEWAY_ANALYTICS_TOKEN_DIR = "/etc/gateway-analytics";

/** json_exporter's config file: each module POSTs its SQL with the mounted token. */
export function jsonExporterConfig(dataset: string, kvExportCron?: string): string {
    const modules = Object.entries(gatewayAnalyticsModules(dataset, kvExportCron)).map(([module, { sql, metrics }]) => [
        module,
        {
            http_client_config: { authorization: { type: "Bearer", credentials_file: `${GATEWAY_ANALYTICS_TOKEN_DIR}/token` } },
            headers: { "content-type": "text/plain" },
            body: { content: sql },
            valid_status_codes: [200],
            metrics,
        },
    ]);
    return stringify({ modules: Object.fromEntries(modules) });
}

/** The metric names the modules produce. */
export function gatewayAnalyticsMetricNames(dataset: string, kvExportCron?: string): string[] {
    return Object.values(gatewayAnalyticsModules(dataset, kvExportCron)).flatMap((m) =>
        m.metrics.flatMap((metric) => Object.keys(metric.values).map((v) => `${metric.name}_${v}`)),
    );
}
