import * as aws from "../aws";
import * as k8s from "../kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface CloudWatchExporterArgs {
    /** Regions whose fleets, load balancers and vaults are read; the first is the STS region. Required. */
    regions: string[];
    /** The stack's Environment tag value: discovery reads only resources carrying it. Required. */
    environment: string;
    /** The cluster's IAM OIDC provider ARN: the role trusts the exporter's service account through it. Required. */
    oidcProviderArn: string;
    /** Kubernetes namespace the exporter runs in. Required. */
    namespace: string;
    /** prometheus-yet-another-cloudwatch-exporter chart version. Required. */
    chartVersion: string;
    /** Labels of the chart's objects, without app.kubernetes.io/* (the chart sets those). Required. */
    labels: Record<string, string>;
}

const CHART_REPO = "https://prometheus-community.github.io/helm-charts";
const SERVICE_ACCOUNT = "cloudwatch-exporter";
/**
 * What YACE calls for these jobs (its README, "Authentication"): tag:GetResources for
 * discovery by tag and the CloudWatch reads; the per-service extras it lists are for
 * namespaces not read here. None supports resource-level permissions, so the resource is "*".
 */
export const CLOUDWATCH_EXPORTER_ACTIONS = ["tag:GetResources", "cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics"];

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
    const jobs = [...config.discovery.jobs.map((j) => ({ namespace: j.type, metrics: j.metrics })), ...config.customNamespace.map((j) => ({ namespace: j.namespace, metrics: j.metrics }))];
    return jobs.flatMap((j) => j.metrics.flatMap((m) => m.statistics.map((s) => yaceMetricName(j.namespace, m.name, s))));
}

/** YACE's config: what it reads from CloudWatch, in the names metrics.ts lists. */
export function yaceConfig(regions: string[], environment: string) {
    const byEnvironment = [{ key: "Environment", value: environment }];
    // CloudWatch keeps 1-minute datapoints for these; a 5-minute length smooths late ones.
    const job = (type: string, dimensionNameRequirements: string[], metrics: Array<[string, string[]]>, extra: Record<string, unknown> = {}) => ({
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
                job("AWS/ApplicationELB", ["LoadBalancer"], [
                    ["RequestCount", ["Sum"]],
                    ["HTTPCode_Target_5XX_Count", ["Sum"]],
                    ["HTTPCode_ELB_5XX_Count", ["Sum"]],
                    ["TargetResponseTime", ["p95", "p99"]],
                ]),
                // Host counts exist only per target group.
                job("AWS/ApplicationELB", ["LoadBalancer", "TargetGroup"], [["HealthyHostCount", ["Minimum"]]]),
                job("AWS/EC2", ["InstanceId"], [["CPUUtilization", ["Average"]]]),
                // Backup metrics are sparse (only when jobs run): missing datapoints count as 0, over an hour.
                job("AWS/Backup", ["BackupVaultName", "ResourceType"], [
                    ["NumberOfBackupJobsCompleted", ["Sum"]],
                    ["NumberOfBackupJobsFailed", ["Sum"]],
                    ["NumberOfCopyJobsFailed", ["Sum"]],
                    ["NumberOfRestoreJobsFailed", ["Sum"]],
                ], { period: 300, length: 3600, nilToZero: true }),
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
 * AWS signals into Prometheus with CloudWatch as the hub: yet-another-cloudwatch-exporter
 * (prometheus-community chart) reading ALB, EC2, AWS Backup and the instances' CloudWatch
 * agent metrics of this environment, under an IAM role that only its service account may
 * assume (IRSA) and that may only read metrics and tags.
 */
export class CloudWatchExporter extends pulumi.ComponentResource {
    readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: CloudWatchExporterArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:monitoring:CloudWatchExporter", name, {}, opts);
        const issuer = args.oidcProviderArn.slice(args.oidcProviderArn.indexOf("oidc-provider/") + "oidc-provider/".length);
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                description: "yet-another-cloudwatch-exporter: reads CloudWatch metrics and resource tags",
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Principal: { Federated: args.oidcProviderArn },
                            Action: "sts:AssumeRoleWithWebIdentity",
                            Condition: { StringEquals: { [`${issuer}:sub`]: `system:serviceaccount:${args.namespace}:${SERVICE_ACCOUNT}`, [`${issuer}:aud`]: "sts.amazonaws.com" } },
                        },
                    ],
                }),
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(`${name}-read`, { role: role.name, policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: CLOUDWATCH_EXPORTER_ACTIONS, Resource: "*" }] }) }, { parent: role });
        new k8s.helm.v3.Release(
            name,
            {
                name: "cloudwatch-exporter",
                chart: "prometheus-yet-another-cloudwatch-exporter",
                version: args.chartVersion,
                repositoryOpts: { repo: CHART_REPO },
                namespace: args.namespace,
                atomic: true,
                values: {
                    serviceAccount: { create: true, name: SERVICE_ACCOUNT, labels: args.labels, annotations: { "eks.amazonaws.com/role-arn": role.arn } },
                    podLabels: args.labels,
                    // The chart renders `config` through tpl: plain YAML text without template braces.
                    config: JSON.stringify(yaceConfig(args.regions, args.environment)),
                    extraArgs: { "scraping-interval": 60 },
                    serviceMonitor: { enabled: true, interval: "60s", timeout: "30s" },
                },
            },
            { parent: this },
        );
        this.roleArn = role.arn;
        this.registerOutputs({ roleArn: this.roleArn });
    }
}
