/**
 * Every metric the rules and dashboards may select, each with what produces it here and the
 * documentation its name and labels come from. tests/monitoring/metrics.test.ts parses every
 * PromQL expression and refuses a selector of a metric not in this table (or recorded by a
 * rule), so no alert can watch a metric nothing deployed produces.
 */

export type Producer = "yace" | "cloudflare-exporter" | "gateway-analytics" | "blackbox-exporter" | "prometheus";

export const PRODUCERS: Record<Producer, { what: string; source: string }> = {
    yace: {
        what: "yet-another-cloudwatch-exporter (Helm chart prometheus-yet-another-cloudwatch-exporter), reading CloudWatch with the IAM role declared in CloudWatchExporter",
        source: "github.com/prometheus-community/yet-another-cloudwatch-exporter: README (naming: aws_<namespace>_<metric>_<statistic>, snake case; labels dimension_<Name>, region, account_id, name) and pkg/promutil BuildMetricName",
    },
    "cloudflare-exporter": {
        what: "lablabs/cloudflare-exporter (Helm chart cloudflare-exporter), reading Cloudflare's GraphQL analytics with the read-only token declared in CloudflareExporter",
        source: "github.com/lablabs/cloudflare-exporter prometheus.go (metric names and labels); data: Cloudflare GraphQL workersInvocationsAdaptive",
    },
    "gateway-analytics": {
        what: "the gateway Worker's own data points in Workers Analytics Engine (workers/gateway/src/analytics.ts), read into Prometheus by json_exporter (GatewayAnalyticsExporter) over the SQL API",
        source: "components/monitoring/gatewayAnalyticsExporter.ts (the SQL and the json_exporter modules that name these metrics); developers.cloudflare.com/analytics/analytics-engine/sql-api",
    },
    "blackbox-exporter": {
        what: "prometheus-blackbox-exporter probing the public hostname (the Probe in Monitoring)",
        source: "github.com/prometheus/blackbox_exporter prober/http.go (probe_success, probe_duration_seconds, probe_ssl_earliest_cert_expiry)",
    },
    prometheus: {
        what: "Prometheus itself, for every scrape target",
        source: "prometheus.io/docs/concepts/jobs_instances (the up series)",
    },
};

export interface MetricInfo {
    producer: Producer;
    /** What it measures, with its unit and the source's name for it. */
    help: string;
    labels: readonly string[];
}

const ALB = ["dimension_LoadBalancer", "dimension_TargetGroup", "region", "account_id", "name"] as const;
const CWAGENT = ["dimension_AutoScalingGroupName", "dimension_InstanceId", "region", "account_id"] as const;
const BACKUP = ["dimension_BackupVaultName", "dimension_ResourceType", "region", "account_id", "name"] as const;
const WORKER = ["script_name", "account"] as const;

export const METRICS: Record<string, MetricInfo> = {
    aws_applicationelb_request_count_sum: { producer: "yace", help: "ALB RequestCount, Sum per period", labels: ALB },
    aws_applicationelb_httpcode_target_5_xx_count_sum: {
        producer: "yace",
        help: "ALB HTTPCode_Target_5XX_Count, Sum (reported only when non-zero)",
        labels: ALB,
    },
    aws_applicationelb_httpcode_elb_5_xx_count_sum: {
        producer: "yace",
        help: "ALB HTTPCode_ELB_5XX_Count, Sum (reported only when non-zero)",
        labels: ALB,
    },
    aws_applicationelb_target_response_time_p95: { producer: "yace", help: "ALB TargetResponseTime, p95, seconds", labels: ALB },
    aws_applicationelb_target_response_time_p99: { producer: "yace", help: "ALB TargetResponseTime, p99, seconds", labels: ALB },
    aws_applicationelb_healthy_host_count_minimum: {
        producer: "yace",
        help: "ALB HealthyHostCount, Minimum (per LoadBalancer and TargetGroup)",
        labels: ALB,
    },
    aws_ec2_cpuutilization_average: {
        producer: "yace",
        help: "EC2 CPUUtilization, Average, percent",
        labels: ["dimension_InstanceId", "region", "account_id", "name"],
    },
    aws_cwagent_mem_used_percent_average: {
        producer: "yace",
        help: "CloudWatch agent mem_used_percent (from the instances), Average",
        labels: CWAGENT,
    },
    aws_cwagent_disk_used_percent_average: {
        producer: "yace",
        help: "CloudWatch agent disk_used_percent of / (from the instances), Average",
        labels: [...CWAGENT, "dimension_path"],
    },
    aws_backup_number_of_backup_jobs_completed_sum: {
        producer: "yace",
        help: "AWS Backup NumberOfBackupJobsCompleted, Sum",
        labels: BACKUP,
    },
    aws_backup_number_of_backup_jobs_failed_sum: { producer: "yace", help: "AWS Backup NumberOfBackupJobsFailed, Sum", labels: BACKUP },
    aws_backup_number_of_copy_jobs_failed_sum: { producer: "yace", help: "AWS Backup NumberOfCopyJobsFailed, Sum", labels: BACKUP },
    aws_backup_number_of_restore_jobs_failed_sum: { producer: "yace", help: "AWS Backup NumberOfRestoreJobsFailed, Sum", labels: BACKUP },

    cloudflare_worker_requests_count: { producer: "cloudflare-exporter", help: "Worker invocations (counter)", labels: WORKER },
    cloudflare_worker_errors_count: {
        producer: "cloudflare-exporter",
        help: "Worker invocations that threw or exceeded a limit (counter)",
        labels: WORKER,
    },
    cloudflare_worker_cpu_time: {
        producer: "cloudflare-exporter",
        help: "Worker CPU time quantiles, microseconds (quantile P50, P75, P99, P999)",
        labels: [...WORKER, "quantile"],
    },

    gateway_requests_5m: {
        producer: "gateway-analytics",
        help: "chat completion requests answered in the last 5 minutes",
        labels: ["status_class", "cache", "provider"],
    },
    gateway_request_duration_p50_ms: {
        producer: "gateway-analytics",
        help: "request duration p50 over the last 5 minutes, ms, the provider's wait included",
        labels: [],
    },
    gateway_request_duration_p95_ms: {
        producer: "gateway-analytics",
        help: "request duration p95, ms, the provider's wait included",
        labels: [],
    },
    gateway_request_duration_p99_ms: {
        producer: "gateway-analytics",
        help: "request duration p99, ms, the provider's wait included",
        labels: [],
    },
    gateway_overhead_duration_p50_ms: {
        producer: "gateway-analytics",
        help: "the gateway's own time per request (duration minus the provider's wait), p50, ms",
        labels: [],
    },
    gateway_overhead_duration_p95_ms: { producer: "gateway-analytics", help: "the gateway's own time per request, p95, ms", labels: [] },
    gateway_overhead_duration_p99_ms: { producer: "gateway-analytics", help: "the gateway's own time per request, p99, ms", labels: [] },
    gateway_upstream_attempts_5m: {
        producer: "gateway-analytics",
        help: "calls to (or skips of) each provider in the last 5 minutes by outcome: ok, failed, circuit_open, busy",
        labels: ["provider", "outcome"],
    },
    gateway_kv_export_runs: {
        producer: "gateway-analytics",
        help: "scheduled KV export runs over the staleness window (kvExportWindowDays); last_outcome is the newest run's: ok, failed or skipped",
        labels: ["last_outcome"],
    },
    gateway_kv_export_newest_run_timestamp_seconds: {
        producer: "gateway-analytics",
        help: "Unix time of the newest KV export run of any outcome; no series when none ran in the window",
        labels: ["last_outcome"],
    },
    gateway_usage_prompt_tokens_24h: {
        producer: "gateway-analytics",
        help: "prompt tokens of the answers providers served in the last 24 hours",
        labels: ["client", "provider", "model"],
    },
    gateway_usage_completion_tokens_24h: {
        producer: "gateway-analytics",
        help: "completion tokens of the answers providers served in the last 24 hours",
        labels: ["client", "provider", "model"],
    },
    gateway_usage_cost_usd_24h: {
        producer: "gateway-analytics",
        help: "cost in US dollars of the answers providers served in the last 24 hours, at workers/gateway/src/modelPrices.ts",
        labels: ["client", "provider", "model"],
    },
    gateway_upstream_latency_p95_ms: {
        producer: "gateway-analytics",
        help: "provider answer time p95 by provider, ms",
        labels: ["provider"],
    },

    probe_success: {
        producer: "blackbox-exporter",
        help: "1 when the probe of the public hostname succeeded",
        labels: ["instance", "job"],
    },
    probe_http_status_code: {
        producer: "blackbox-exporter",
        help: "the HTTP status the probe got (0 when none)",
        labels: ["instance", "job"],
    },
    probe_duration_seconds: { producer: "blackbox-exporter", help: "the probe's duration, seconds", labels: ["instance", "job"] },
    probe_ssl_earliest_cert_expiry: {
        producer: "blackbox-exporter",
        help: "earliest certificate expiry in the chain, Unix seconds",
        labels: ["instance", "job"],
    },
    up: { producer: "prometheus", help: "1 when the target's last scrape succeeded", labels: ["job", "instance", "namespace"] },
};
