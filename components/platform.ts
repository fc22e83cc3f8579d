import * as aws from "@pulumi/aws";
import * as cloudflare from "@pulumi/cloudflare";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config/stackConfig";
import { physicalName, requiredLabels, requiredTags } from "../config/tagging";
import { Backup } from "./backup";
import { Edge } from "./edge";
import { Monitoring } from "./monitoring";
import { Fleet } from "./fleet";
import { Network } from "./network";

export interface PlatformArgs {
    /** The stack's validated config. Required. */
    config: PlatformConfig;
}

/** One region's share of the platform. */
export interface RegionalPlatform {
    region: string;
    standby: boolean;
    provider: aws.Provider;
    network: Network;
    fleet: Fleet;
}

/**
 * The whole platform of one environment. Each area is a component; the wiring between them
 * (ALB DNS names to edge pools, tags to backup selections, hostnames to probes) happens here
 * and nowhere else.
 */
export class Platform extends pulumi.ComponentResource {
    readonly regions: RegionalPlatform[];
    readonly backup: Backup;
    readonly edge: Edge;
    readonly monitoring?: Monitoring;
    /** What the stack exports (index.ts exports exactly this). */
    readonly stackOutputs: Record<string, pulumi.Input<unknown>>;

    constructor(name: string, args: PlatformArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:index:Platform", name, {}, opts);
        const { config } = args;
        const tags = requiredTags(config);

        this.regions = config.regions.map((regionConfig) => {
            const regionName = `${name}-${regionConfig.region}`;
            const provider = new aws.Provider(`aws-${regionConfig.region}`, { region: regionConfig.region as aws.Region, defaultTags: { tags } }, { parent: this });
            const network = new Network(
                regionName,
                {
                    cidrBlock: regionConfig.cidrBlock,
                    azCount: config.network.azCount,
                    natGateways: config.network.natGateways,
                    flowLogRetentionDays: config.network.flowLogRetentionDays,
                },
                { parent: this, providers: { aws: provider } },
            );
            const fleetConfig = config.fleet;
            const fleet = new Fleet(
                `${regionName}-web`,
                {
                    vpcId: network.vpcId,
                    publicSubnetIds: network.publicSubnetIds,
                    privateSubnetIds: network.privateSubnetIds,
                    tags,
                    instanceType: fleetConfig.instanceType,
                    amiId: fleetConfig.amiId,
                    amiNameFilter: fleetConfig.amiNameFilter,
                    amiOwner: fleetConfig.amiOwner,
                    rootVolumeGb: fleetConfig.rootVolumeGb,
                    ebsKmsKeyArn: fleetConfig.ebsKmsKeyArn,
                    size: regionConfig.standby ? fleetConfig.standbySize : fleetConfig.size,
                    healthCheckGracePeriodSeconds: fleetConfig.healthCheckGracePeriodSeconds,
                    certificateArn: fleetConfig.certificateArns[regionConfig.region]!,
                    sslPolicy: fleetConfig.sslPolicy,
                    deletionProtection: fleetConfig.deletionProtection,
                    accessLogs: fleetConfig.accessLogs,
                    protectStatefulResources: config.protectStatefulResources,
                    internalCidr: fleetConfig.internalCidr,
                    sshCidr: fleetConfig.sshCidr,
                    cpuTargetPercent: fleetConfig.cpuTargetPercent,
                    refreshCheckpoints: fleetConfig.refresh.checkpointPercentages,
                    refreshCheckpointDelaySeconds: fleetConfig.refresh.checkpointDelaySeconds,
                    refreshMinHealthyPercentage: fleetConfig.refresh.minHealthyPercentage,
                    error5xxRatio: fleetConfig.alarms.error5xxRatio,
                    cpuAlarmPercent: fleetConfig.alarms.cpuPercent,
                    cpuAlarmMinutes: fleetConfig.alarms.cpuMinutes,
                    backupTier: fleetConfig.backupTier,
                    alarmEmails: config.alerting.emails,
                    pagerdutyRoutingKey: config.secrets.pagerdutyRoutingKey,
                    patchDeadlineDays: { critical: fleetConfig.patching.criticalDays, high: fleetConfig.patching.highDays, medium: fleetConfig.patching.mediumDays },
                    patchWindowSchedule: fleetConfig.patching.windowSchedule,
                    patchWindowHours: fleetConfig.patching.windowHours,
                },
                { parent: this, providers: { aws: provider } },
            );
            return { region: regionConfig.region, standby: regionConfig.standby, provider, network, fleet };
        });

        const primary = this.regions[0]!;
        const standby = this.regions.find((r) => r.standby);
        const copyTo = config.backup.crossRegionCopy ? standby : undefined;
        this.backup = new Backup(
            `${name}-backup`,
            {
                config: config.backup,
                namePrefix: physicalName(config),
                notificationTopicArn: primary.fleet.alarmTopicArn,
                copyProvider: copyTo?.provider,
                copyRegion: copyTo?.region,
                protect: config.protectStatefulResources,
            },
            { parent: this, providers: { aws: primary.provider } },
        );

        // The edge fronts the regions' load balancers, primary first; the standby is the fallback.
        const cloudflareProvider = new cloudflare.Provider("cloudflare", {}, { parent: this });
        this.edge = new Edge(
            `${name}-edge`,
            {
                accountId: config.cloudflare.accountId,
                zoneId: config.cloudflare.zoneId,
                zoneName: config.cloudflare.zoneName,
                namePrefix: physicalName(config),
                environment: config.environment,
                settings: config.edge,
                origins: this.regions.map((r) => ({ region: r.region, address: r.fleet.albDnsName })),
                openaiApiKey: config.secrets.openaiApiKey,
                anthropicApiKey: config.secrets.anthropicApiKey,
                slackWebhookUrl: config.secrets.slackWebhookUrl,
                pagerdutyWebhookUrl: config.secrets.pagerdutyRoutingKey?.apply((key) => `https://events.pagerduty.com/integration/${key}/enqueue`),
                protect: config.protectStatefulResources,
            },
            { parent: this, providers: { cloudflare: cloudflareProvider } },
        );

        // Monitoring on the cluster the kubeconfig secret reaches, probing the edge's hostname.
        // Config validation guarantees these secrets whenever monitoring is enabled.
        const { kubeconfig, slackWebhookUrl, slackInfraWebhookUrl, pagerdutyRoutingKey } = config.secrets;
        if (config.monitoring.enabled && kubeconfig && slackWebhookUrl && slackInfraWebhookUrl && pagerdutyRoutingKey) {
            const k8sProvider = new k8s.Provider("kubernetes", { kubeconfig, enableServerSideApply: true }, { parent: this });
            this.monitoring = new Monitoring(
                `${name}-monitoring`,
                {
                    config: config.monitoring,
                    labels: requiredLabels(config),
                    routingSecrets: { slackWebhookUrl, slackInfraWebhookUrl, pagerdutyRoutingKey },
                    probeTargets: [`${this.edge.workerUrl}/health`],
                },
                { parent: this, providers: { kubernetes: k8sProvider } },
            );
        }

        this.stackOutputs = {
            environment: config.environment,
            regions: Object.fromEntries(
                this.regions.map((r) => [
                    r.region,
                    {
                        standby: r.standby,
                        vpcId: r.network.vpcId,
                        albDnsName: r.fleet.albDnsName,
                        albArn: r.fleet.albArn,
                        asgName: r.fleet.asgName,
                        targetGroupArn: r.fleet.targetGroupArn,
                        alarmTopicArn: r.fleet.alarmTopicArn,
                    },
                ]),
            ),
            edge: {
                workerName: this.edge.workerName,
                workerUrl: this.edge.workerUrl,
                loadBalancerHostname: this.edge.hostname,
                versionId: this.edge.versionId,
                previousVersionId: this.edge.previousVersionId,
                kvNamespaceIds: this.edge.kvNamespaceIds,
                backupBucketName: this.edge.backupBucketName,
            },
            monitoring: this.monitoring ? { namespace: this.monitoring.namespace, grafanaAdminSecretName: this.monitoring.grafanaAdminSecretName } : null,
            backup: {
                vaultName: this.backup.vaultName,
                vaultArn: this.backup.vaultArn,
                drVaultName: this.backup.drVaultName,
                drVaultArn: this.backup.drVaultArn,
                planIds: this.backup.planIds,
                tiers: this.backup.tiers,
            },
        };
        this.registerOutputs(this.stackOutputs);
    }
}
