import * as aws from "../aws";
import * as k8s from "../kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PROMETHEUS_COMMUNITY, YACE_POLL_SECONDS, yaceConfig } from "./exporterConfigs";

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

const SERVICE_ACCOUNT = "cloudwatch-exporter";
/**
 * What YACE calls for these jobs (its README, "Authentication"): tag:GetResources for
 * discovery by tag and the CloudWatch reads; the per-service extras it lists are for
 * namespaces not read here. None supports resource-level permissions, so the resource is "*".
 */
export const CLOUDWATCH_EXPORTER_ACTIONS = [
    "tag:GetResources",
    "cloudwatch:GetMetricData",
    "cloudwatch:GetMetricStatistics",
    "cloudwatch:ListMetrics",
];

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
                            Condition: {
                                StringEquals: {
                                    [`${issuer}:sub`]: `system:serviceaccount:${args.namespace}:${SERVICE_ACCOUNT}`,
                                    [`${issuer}:aud`]: "sts.amazonaws.com",
                                },
                            },
                        },
                    ],
                }),
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            `${name}-read`,
            {
                role: role.name,
                policy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Action: CLOUDWATCH_EXPORTER_ACTIONS, Resource: "*" }],
                }),
            },
            { parent: role },
        );
        new k8s.helm.v3.Release(
            name,
            {
                name: "cloudwatch-exporter",
                chart: "prometheus-yet-another-cloudwatch-exporter",
                version: args.chartVersion,
                repositoryOpts: { repo: PROMETHEUS_COMMUNITY },
                namespace: args.namespace,
                atomic: true,
                values: {
                    serviceAccount: {
                        create: true,
                        name: SERVICE_ACCOUNT,
                        labels: args.labels,
                        annotations: { "eks.amazonaws.com/role-arn": role.arn },
                    },
                    podLabels: args.labels,
                    // The chart renders `config` through tpl: plain YAML text without template braces.
                    config: JSON.stringify(yaceConfig(args.regions, args.environment)),
                    extraArgs: { "scraping-interval": YACE_POLL_SECONDS },
                    serviceMonitor: { enabled: true, interval: `${YACE_POLL_SECONDS}s`, timeout: "30s" },
                },
            },
            { parent: this },
        );
        this.roleArn = role.arn;
        this.registerOutputs({ roleArn: this.roleArn });
    }
}
