/**
 * Alert rules per service over the metrics the exporters really produce (metrics.ts), at the
 * thresholds of the config (the source documents' figures by default: config/schema.ts
 * `monitoring.thresholds`, and `fleet.alarms`, which the fleet's CloudWatch alarms read too);
 * a disk full within 4 hours is critical. Each group names its service and its dashboard.
 */
import type { FleetConfig, MonitoringConfig } from "../../config/schema";
import { KV_EXPORT_GRACE_MINUTES, kvExportStaleAfterMinutes } from "../edge/kvExportRhythm";
import { formatMinutes } from "../../policies/lib/backupMatrix";
import { BACKUP_DASHBOARD_UID, goldenDashboardUid } from "./dashboardUids";
import { TEAM_ROLES, alertLabels, type AlertGroup, type AlertRule } from "./ruleTypes";
import { errorRatio, fleetSelector, orZero, serviceSignals, windowSum, type SignalContext } from "./signals";

type Thresholds = MonitoringConfig["thresholds"];

/**
 * What a patch wave causes on the instances it patches and reboots: their CPU while patches
 * install, and the fleet's latency while it serves with fewer of them. Routing mutes these in
 * the patch windows (alertRouting.ts); none of them pages.
 */
export const EXPECTED_DURING_PATCHING = ["HighCPUUsage", "WebHighLatency"] as const;

/** The gateway's alerts; the scheduled KV export's while it runs (`kvExportCron`, edge.kvBackup.cron when enabled). */
export function gatewayAlertRules(ctx: SignalContext, t: Thresholds, kvExportCron?: string): AlertGroup[] {
    const gateway = serviceSignals("gateway", ctx);
    const worker = `script_name="${ctx.gatewayScript}"`;
    const service = { service: "gateway" };
    const rules: AlertRule[] = [
        {
            alert: "GatewayHighErrorRate",
            expr: `${errorRatio(gateway, "5m")}\n> ${t.gatewayErrorRatio}`,
            for: "5m",
            labels: alertLabels("degraded", TEAM_ROLES.service, service),
            annotations: {
                summary: "High error rate on the gateway",
                description: "{{ $value | humanizePercentage }} of chat completions answered 5xx over 5 minutes",
            },
        },
        {
            alert: "GatewayWorkerErrors",
            expr: `sum(rate(cloudflare_worker_errors_count{${worker}}[5m]))\n/\nsum(rate(cloudflare_worker_requests_count{${worker}}[5m]))\n> ${t.gatewayErrorRatio}`,
            for: "5m",
            labels: alertLabels("degraded", TEAM_ROLES.service, service),
            annotations: {
                summary: "The gateway Worker is failing invocations",
                description: "{{ $value | humanizePercentage }} of the Worker's invocations threw or hit a limit (Cloudflare's analytics)",
            },
        },
        {
            alert: "GatewayHighLatency",
            expr: `max(gateway_overhead_duration_p95_ms) / 1000 > ${t.gatewayP95Ms / 1000}`,
            for: "10m",
            labels: alertLabels("sustained", TEAM_ROLES.service, service),
            annotations: {
                summary: `Gateway p95 above its ${t.gatewayP95Ms} ms KPI`,
                description: "The gateway's own p95 (the provider's wait excluded) is {{ $value | humanizeDuration }}",
            },
        },
        {
            alert: "GatewayHighLatencyP99",
            expr: `max(gateway_overhead_duration_p99_ms) / 1000 > ${t.gatewayP99Ms / 1000}`,
            for: "10m",
            labels: alertLabels("sustained", TEAM_ROLES.service, service),
            annotations: {
                summary: `Gateway p99 above its ${t.gatewayP99Ms} ms KPI`,
                description: "The gateway's own p99 (the provider's wait excluded) is {{ $value | humanizeDuration }}",
            },
        },
        {
            alert: "GatewayCacheHitRateLow",
            expr: `${orZero(windowSum('gateway_requests_5m{cache=~"HIT|SHARED"}', "30m"))}\n/\n${windowSum('gateway_requests_5m{cache=~"HIT|SHARED|MISS"}', "30m")}\n< ${t.cacheHitRatio}`,
            for: "30m",
            labels: alertLabels("trend", TEAM_ROLES.service, service),
            annotations: {
                summary: `Gateway cache hit rate below ${t.cacheHitRatio.toFixed(2)}`,
                description: "{{ $value | humanizePercentage }} of cacheable requests were answered from the cache over 30 minutes",
            },
        },
        {
            alert: "GatewayProviderFailing",
            expr: `sum by (provider) (sum_over_time(gateway_upstream_attempts_5m{outcome="failed"}[5m]))\n/\nsum by (provider) (sum_over_time(gateway_upstream_attempts_5m{outcome=~"ok|failed"}[5m]))\n> ${t.gatewayErrorRatio}`,
            for: "5m",
            labels: alertLabels("sustained", TEAM_ROLES.service, service),
            annotations: {
                summary: "Calls to {{ $labels.provider }} are failing",
                description:
                    "{{ $value | humanizePercentage }} of calls to {{ $labels.provider }} failed over 5 minutes: a provider is failed over; the rate limiter answers 503 or serves unlimited (edge.rateLimit.onFailure)",
            },
        },
        {
            alert: "GatewayCircuitOpen",
            expr: 'sum by (provider) (gateway_upstream_attempts_5m{outcome="circuit_open"}) > 0',
            for: "5m",
            labels: alertLabels("sustained", TEAM_ROLES.service, service),
            annotations: {
                summary: "{{ $labels.provider }}'s circuit is open",
                description: "{{ $value }} requests skipped {{ $labels.provider }} in the last 5 minutes after repeated failures",
            },
        },
        {
            alert: "GatewayProviderSpendHigh",
            expr: `sum by (provider) (gateway_usage_cost_usd_24h) > ${t.gatewayProviderDailySpendUsd}`,
            for: "15m",
            labels: alertLabels("sustained", TEAM_ROLES.service, service),
            annotations: {
                summary: `{{ $labels.provider }} spend over the last 24 hours above $${t.gatewayProviderDailySpendUsd}`,
                description:
                    "The gateway's answers from {{ $labels.provider }} cost ${{ $value | printf \"%.2f\" }} over 24 hours, at the price table's prices; the usage dashboard shows which client and model",
            },
        },
        ...(kvExportCron === undefined ? [] : kvExportAlertRules(kvExportCron, service)),
        ...endpointAlertRules(),
    ];
    return [{ name: "gateway", service: "gateway", dashboard: goldenDashboardUid("gateway"), rules }];
}

/**
 * The KV export to R2: a run that failed or was skipped, and runs that stopped. Tickets (P3), not
 * pages: the earlier exports stay in R2, locked, for their retention, and KV itself still holds
 * the data; someone must look within hours, not at once. A failed run is one symptom, no run at
 * all another, so the staleness alert reads the newest run of any outcome.
 */
function kvExportAlertRules(cron: string, service: Record<string, string>): AlertRule[] {
    const staleMinutes = kvExportStaleAfterMinutes(cron);
    const staleSeconds = staleMinutes * 60;
    const newestRun = "gateway_kv_export_newest_run_timestamp_seconds";
    return [
        {
            alert: "GatewayKvExportFailed",
            expr: 'max by (last_outcome) (gateway_kv_export_runs{last_outcome=~"failed|skipped"}) > 0',
            for: "5m",
            labels: alertLabels("sustained", TEAM_ROLES.infrastructure, service),
            annotations: {
                summary: "The newest KV export to R2 {{ $labels.last_outcome }}",
                description:
                    "The gateway's scheduled KV export {{ $labels.last_outcome }} (skipped: the gateway is misconfigured, see /health); the previous exports stay in R2 until their retention",
            },
        },
        {
            // No series at all once no run is left in the query's window: absent for as long as a run may be late.
            alert: "GatewayKvExportStale",
            expr: `time() - max(${newestRun}) > ${staleSeconds}\nor\nabsent_over_time(${newestRun}[${staleSeconds}s])`,
            for: "10m",
            labels: alertLabels("sustained", TEAM_ROLES.infrastructure, service),
            annotations: {
                summary: `No KV export has run for over ${formatMinutes(staleMinutes)} ("${cron}" and ${KV_EXPORT_GRACE_MINUTES} min grace)`,
                description:
                    "The scheduled KV export has stopped running: its cron trigger, the gateway script or Analytics Engine; the newest copy in R2 is getting older than the schedule allows",
            },
        },
    ];
}

/** The blackbox probes of the gateway's public /health (Platform's probeTargets). */
function endpointAlertRules(): AlertRule[] {
    return [
        {
            alert: "EndpointDown",
            expr: "probe_success == 0",
            for: "5m",
            // The gateway's public /health: its service, so the gateway's own pages give way to it.
            labels: alertLabels("down", TEAM_ROLES.infrastructure, { service: "gateway" }),
            annotations: {
                summary: "{{ $labels.instance }} does not answer",
                description: "The blackbox probe of {{ $labels.instance }} has failed for 5 minutes",
            },
        },
        {
            alert: "CertificateExpiringSoon",
            expr: "(probe_ssl_earliest_cert_expiry - time()) / 86400 < 14",
            for: "1h",
            labels: alertLabels("trend", TEAM_ROLES.infrastructure),
            annotations: {
                summary: "SSL certificate expiring soon",
                description: "Certificate for {{ $labels.instance }} expires in {{ $value | humanize }} days",
            },
        },
    ];
}

export function webAlertRules(ctx: SignalContext, t: Thresholds, alarms: FleetConfig["alarms"]): AlertGroup[] {
    const web = serviceSignals("web", ctx);
    const service = { service: "web" };
    // The same per-instance expressions as the web dashboard's saturation panels.
    const [cpu, memory, disk] = web.saturation.map(([, expr]) => expr) as [string, string, string];
    const saturation = (alert: "HighMemoryUsage" | "HighDiskUsage", expr: string, what: string): AlertRule[] =>
        (
            [
                ["sustained", t.saturationWarningPercent],
                ["degraded", t.saturationCriticalPercent],
            ] as const
        ).map(([scenario, threshold]) => ({
            alert,
            expr: `${expr} > ${threshold}`,
            for: "10m",
            labels: alertLabels(scenario, TEAM_ROLES.infrastructure),
            annotations: {
                summary: `${what} above ${threshold}% on {{ $labels.dimension_InstanceId }}`,
                description: `${what} is {{ $value | humanize }}% on {{ $labels.dimension_InstanceId }}`,
            },
        }));
    const rules: AlertRule[] = [
        {
            alert: "WebHighErrorRate",
            expr: `${errorRatio(web, "5m")}\n> ${alarms.error5xxRatio}`,
            for: "5m",
            labels: alertLabels("degraded", TEAM_ROLES.service, service),
            annotations: {
                summary: "High error rate on web",
                description: "{{ $value | humanizePercentage }} of the load balancers' requests answered 5xx over 5 minutes",
            },
        },
        {
            alert: "WebHighLatency",
            expr: `max(aws_applicationelb_target_response_time_p95) > ${t.webP95Seconds}`,
            for: "10m",
            labels: alertLabels("sustained", TEAM_ROLES.service, service),
            annotations: {
                summary: "High p95 latency on web",
                description: "The targets' p95 response time is {{ $value | humanizeDuration }}",
            },
        },
        {
            alert: "WebNoHealthyHosts",
            expr: "min by (dimension_TargetGroup) (aws_applicationelb_healthy_host_count_minimum) < 1",
            for: "5m",
            labels: alertLabels("down", TEAM_ROLES.infrastructure, service),
            annotations: {
                summary: "No healthy web host behind {{ $labels.dimension_TargetGroup }}",
                description: "The target group has had no healthy host for 5 minutes",
            },
        },
        {
            alert: "HighCPUUsage",
            expr: `${cpu} > ${alarms.cpuPercent}`,
            for: `${alarms.cpuMinutes}m`,
            labels: alertLabels("sustained", TEAM_ROLES.infrastructure),
            annotations: {
                summary: "High CPU usage on {{ $labels.dimension_InstanceId }}",
                description: "CPU usage is {{ $value | humanize }}% on {{ $labels.dimension_InstanceId }}",
            },
        },
        ...saturation("HighMemoryUsage", memory, "Memory use"),
        ...saturation("HighDiskUsage", disk, "Disk use of /"),
        {
            alert: "DiskWillFillIn4Hours",
            expr: `predict_linear(aws_cwagent_disk_used_percent_average${fleetSelector(ctx, 'dimension_path="/"')}[1h], 4 * 3600) > 100`,
            for: "5m",
            labels: alertLabels("degraded", TEAM_ROLES.infrastructure),
            annotations: {
                summary: "Disk will fill on {{ $labels.dimension_InstanceId }}",
                description: "The root filesystem will fill in approximately 4 hours at the last hour's rate",
            },
        },
    ];
    return [{ name: "web", service: "web", dashboard: goldenDashboardUid("web"), rules }];
}

/** Scrape targets of every job: the monitoring stack's own view, with no service dashboard of its own. */
/**
 * The platform's own scrape targets, in the monitoring namespace: the exporters and
 * kube-prometheus-stack's components. Control-plane targets elsewhere (kube-proxy, etcd, the
 * scheduler) are unreachable on managed clusters and would page for nothing.
 */
export function platformAlertRules(namespace: string): AlertGroup[] {
    return [
        {
            name: "platform",
            rules: [
                {
                    alert: "ServiceDown",
                    expr: `up{namespace="${namespace}"} == 0`,
                    for: "5m",
                    labels: alertLabels("degraded", TEAM_ROLES.infrastructure),
                    annotations: {
                        summary: "Service {{ $labels.job }} is down",
                        description: "{{ $labels.instance }} of job {{ $labels.job }} has been down for more than 5 minutes",
                    },
                },
            ],
        },
    ];
}

/**
 * AWS Backup job metrics as yet-another-cloudwatch-exporter names them for the AWS/Backup
 * namespace. `maxGapHours` is the longest a day may pass without any completed backup.
 */
export function backupAlertRules(maxGapHours = 26): AlertGroup[] {
    return [
        {
            name: "backups",
            dashboard: BACKUP_DASHBOARD_UID,
            rules: [
                {
                    alert: "BackupJobFailed",
                    expr: "sum by (dimension_ResourceType) (aws_backup_number_of_backup_jobs_failed_sum) > 0",
                    labels: alertLabels("degraded", TEAM_ROLES.infrastructure),
                    annotations: {
                        summary: "AWS Backup jobs failed for {{ $labels.dimension_ResourceType }}",
                        description: "{{ $value }} backup job(s) failed; the tier's RPO is at risk",
                    },
                },
                {
                    alert: "BackupCopyJobFailed",
                    expr: "sum(aws_backup_number_of_copy_jobs_failed_sum) > 0",
                    labels: alertLabels("degraded", TEAM_ROLES.infrastructure),
                    annotations: {
                        summary: "Cross-region backup copy failed",
                        description: "{{ $value }} copy job(s) failed: the offsite copy of 3-2-1 is missing",
                    },
                },
                {
                    alert: "RestoreJobFailed",
                    expr: "sum(aws_backup_number_of_restore_jobs_failed_sum) > 0",
                    labels: alertLabels("degraded", TEAM_ROLES.infrastructure),
                    annotations: {
                        summary: "A restore (test) failed",
                        description: "{{ $value }} restore job(s) failed; recovery is not proven",
                    },
                },
                {
                    alert: "BackupMissing",
                    expr: `sum(sum_over_time(aws_backup_number_of_backup_jobs_completed_sum[${maxGapHours}h])) == 0\nor\nabsent_over_time(aws_backup_number_of_backup_jobs_completed_sum[${maxGapHours}h])`,
                    labels: alertLabels("degraded", TEAM_ROLES.infrastructure),
                    annotations: {
                        summary: `No backup completed in ${maxGapHours}h`,
                        description: "No AWS Backup job has completed; check the plans, the selections and the exporter",
                    },
                },
            ],
        },
    ];
}
