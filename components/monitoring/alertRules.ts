/**
 * The source documents' alert rules with their exact thresholds (it-operations/monitoring.md),
 * and the backup rules that make a failed or missing backup an alert.
 */
import { TEAM_ROLES, type RuleGroup } from "./ruleTypes";

export function seedAlertRules(): RuleGroup[] {
    return [
        {
            name: "golden-signals",
            rules: [
                {
                    alert: "HighErrorRate",
                    expr: 'sum(rate(http_requests_total{status=~"5.."}[5m])) by (service)\n/\nsum(rate(http_requests_total[5m])) by (service)\n> 0.05',
                    for: "5m",
                    labels: { severity: "critical", team: TEAM_ROLES.service },
                    annotations: { summary: "High error rate on {{ $labels.service }}", description: "Error rate is {{ $value | humanizePercentage }} on {{ $labels.service }}" },
                },
                {
                    alert: "HighLatency",
                    expr: "histogram_quantile(0.95,\n  sum(rate(http_request_duration_seconds_bucket[5m])) by (le, service)\n) > 1.0",
                    for: "10m",
                    labels: { severity: "warning", team: TEAM_ROLES.service },
                    annotations: { summary: "High p95 latency on {{ $labels.service }}", description: "p95 latency is {{ $value }}s on {{ $labels.service }}" },
                },
                {
                    alert: "HighCPUUsage",
                    expr: '100 - (avg by(instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])) * 100) > 85',
                    for: "10m",
                    labels: { severity: "warning", team: TEAM_ROLES.infrastructure },
                    annotations: { summary: "High CPU usage on {{ $labels.instance }}", description: "CPU usage is {{ $value | humanize }}% on {{ $labels.instance }}" },
                },
                {
                    alert: "DiskWillFillIn4Hours",
                    expr: 'predict_linear(node_filesystem_free_bytes{fstype!~"tmpfs|fuse.lxcfs"}[1h], 4*3600) < 0',
                    for: "5m",
                    labels: { severity: "critical", team: TEAM_ROLES.infrastructure },
                    annotations: { summary: "Disk will fill on {{ $labels.instance }}", description: "Filesystem {{ $labels.mountpoint }} will fill in approximately 4 hours" },
                },
                {
                    alert: "ServiceDown",
                    expr: "up == 0",
                    for: "5m",
                    labels: { severity: "critical", team: TEAM_ROLES.infrastructure },
                    annotations: { summary: "Service {{ $labels.job }} is down", description: "{{ $labels.instance }} of job {{ $labels.job }} has been down for more than 5 minutes" },
                },
                {
                    alert: "CertificateExpiringSoon",
                    expr: "(probe_ssl_earliest_cert_expiry - time()) / 86400 < 14",
                    for: "1h",
                    labels: { severity: "warning", team: TEAM_ROLES.infrastructure },
                    annotations: { summary: "SSL certificate expiring soon", description: "Certificate for {{ $labels.instance }} expires in {{ $value | humanize }} days" },
                },
            ],
        },
    ];
}

/**
 * AWS Backup job metrics as the CloudWatch exporter (YACE) names them for the AWS/Backup
 * namespace. `maxGapHours` is the longest a day may pass without any completed backup.
 */
export function backupAlertRules(maxGapHours = 26): RuleGroup[] {
    return [
        {
            name: "backups",
            rules: [
                {
                    alert: "BackupJobFailed",
                    expr: "sum by (dimension_ResourceType) (aws_backup_number_of_backup_jobs_failed_sum) > 0",
                    labels: { severity: "critical", team: TEAM_ROLES.infrastructure },
                    annotations: { summary: "AWS Backup jobs failed for {{ $labels.dimension_ResourceType }}", description: "{{ $value }} backup job(s) failed; the tier's RPO is at risk" },
                },
                {
                    alert: "BackupCopyJobFailed",
                    expr: "sum(aws_backup_number_of_copy_jobs_failed_sum) > 0",
                    labels: { severity: "critical", team: TEAM_ROLES.infrastructure },
                    annotations: { summary: "Cross-region backup copy failed", description: "{{ $value }} copy job(s) failed: the offsite copy of 3-2-1 is missing" },
                },
                {
                    alert: "RestoreJobFailed",
                    expr: "sum(aws_backup_number_of_restore_jobs_failed_sum) > 0",
                    labels: { severity: "critical", team: TEAM_ROLES.infrastructure },
                    annotations: { summary: "A restore (test) failed", description: "{{ $value }} restore job(s) failed; recovery is not proven" },
                },
                {
                    alert: "BackupMissing",
                    expr: `sum(sum_over_time(aws_backup_number_of_backup_jobs_completed_sum[${maxGapHours}h])) == 0\nor\nabsent_over_time(aws_backup_number_of_backup_jobs_completed_sum[${maxGapHours}h])`,
                    labels: { severity: "critical", team: TEAM_ROLES.infrastructure },
                    annotations: { summary: `No backup completed in ${maxGapHours}h`, description: "No AWS Backup job has completed; check the plans, the selections and the exporter" },
                },
            ],
        },
    ];
}
