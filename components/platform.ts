import * as aws from "./aws";
import * as cloudflare from "./cloudflare";
import * as k8s from "./kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config/stackConfig";
import { physicalName, requiredLabels, requiredTags } from "../config/tagging";
import { Backup, backupPlanName } from "./backup";
import { CostGuardrails } from "./cost";
import { Edge } from "./edge";
import { bundleWorker } from "./edge/workerBundle";
import { Fleet } from "./fleet";
import { Monitoring } from "./monitoring";
import { Network } from "./network";
import { OnCall } from "./oncall";
import * as pagerduty from "./pagerduty";
import type { PagingPriority } from "./monitoring/ruleTypes";
import { PROVIDER_CATALOGUE, PROVIDER_NAMES } from "../workers/gateway/src/providers/catalogue";

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
 * The whole platform of one environment. Each area is a component that takes its own config
 * section; the wiring between areas (ALB DNS names to edge pools, the alarm topic to backup
 * notifications, the edge hostname to probes) happens here and nowhere else.
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
        const { secrets } = config;
        const tags = requiredTags(config);
        const namePrefix = physicalName(config);
        const protect = config.protectStatefulResources;

        // AWS: per region a network and the web fleet in it; the first region is the primary.
        this.regions = config.regions.map(({ region, cidrBlock, standby }) => {
            const regionName = `${name}-${region}`;
            // allowedAccountIds: the provider refuses credentials of any other account.
            const provider = new aws.Provider(
                `aws-${region}`,
                { region: region as aws.Region, allowedAccountIds: config.awsAccountIds, defaultTags: { tags } },
                { parent: this },
            );
            const inRegion = { parent: this, providers: { aws: provider } };
            const network = new Network(regionName, { cidrBlock, settings: config.network }, inRegion);
            const fleet = new Fleet(
                `${regionName}-web`,
                {
                    vpcId: network.vpcId,
                    publicSubnetIds: network.publicSubnetIds,
                    privateSubnetIds: network.privateSubnetIds,
                    tags,
                    certificateArn: config.fleet.certificateArns[region]!,
                    backupPlan: backupPlanName(namePrefix, config.fleet.backupTier),
                    standby,
                    settings: config.fleet,
                    alarmEmails: config.alerting.emails,
                    runbookBaseUrl: config.monitoring.runbookBaseUrl,
                    protect,
                },
                inRegion,
            );
            return { region, standby, provider, network, fleet };
        });
        const primary = this.regions[0]!;
        const copyTo = config.backup.crossRegionCopy ? this.regions.find((r) => r.standby) : undefined;

        // Backups of the environment's tagged resources in the primary region, copies to the standby region.
        this.backup = new Backup(
            `${name}-backup`,
            {
                settings: config.backup,
                namePrefix,
                environment: config.environment,
                alarmEmails: config.alerting.emails,
                copyProvider: copyTo?.provider,
                copyRegion: copyTo?.region,
                restoredInstanceRoleArns: this.regions.map((r) => r.fleet.instanceRoleArn),
                protect,
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
                namePrefix,
                environment: config.environment,
                settings: config.edge,
                origins: this.regions.map((r) => ({ region: r.region, address: r.fleet.albDnsName })),
                providerKeys: Object.fromEntries(
                    PROVIDER_NAMES.map((provider) => [provider, secrets[PROVIDER_CATALOGUE[provider].secretConfigKey]]),
                ),
                slackWebhookUrl: secrets.slackWebhookUrl,
                notifications: config.cloudflare.notifications,
                protect,
            },
            { parent: this, providers: { cloudflare: cloudflareProvider } },
        );

        // What the environment may cost, watched in its account (Budgets and Cost Explorer are global).
        new CostGuardrails(
            `${name}-cost`,
            { namePrefix, environment: config.environment, settings: config.cost, emails: config.alerting.emails },
            { parent: this, providers: { aws: this.regions[0]!.provider } },
        );

        // Monitoring on the cluster the kubeconfig secret reaches, probing the edge's hostname.
        // Config validation guarantees these secrets whenever monitoring is enabled.
        const { kubeconfig, slackWebhookUrl, slackInfraWebhookUrl } = secrets;
        if (config.monitoring.enabled && kubeconfig && slackWebhookUrl && slackInfraWebhookUrl) {
            const k8sProvider = new k8s.Provider("kubernetes", { kubeconfig, enableServerSideApply: true }, { parent: this });
            this.monitoring = new Monitoring(
                `${name}-monitoring`,
                {
                    settings: config.monitoring,
                    labels: requiredLabels(config),
                    routingSecrets: { slackWebhookUrl, slackInfraWebhookUrl },
                    ...(config.monitoring.paging ? { pagingKeys: this.pagingKeys(name, config, namePrefix) } : {}),
                    // The probe's alerts are the gateway's: probed while the gateway is monitored.
                    probeTargets: config.monitoring.services.includes("gateway") ? [`${this.edge.workerUrl}/health`] : [],
                    signals: { fleetPrefix: `${namePrefix}-`, gatewayScript: this.edge.gatewayScript },
                    // The bundle's content version, the Worker version's tag: known at preview, unlike the version id.
                    deployedVersion: bundleWorker().version,
                    fleetAlarms: config.fleet.alarms,
                    fleetPatching: config.fleet.patching,
                    sources: {
                        environment: config.environment,
                        regions: this.regions.map((r) => r.region),
                        namePrefix,
                        cloudflareAccountId: config.cloudflare.accountId,
                        cloudflareZoneId: config.cloudflare.zoneId,
                        analyticsDataset: this.edge.analyticsDataset,
                        ...(config.edge.kvBackup.enabled ? { kvExportCron: config.edge.kvBackup.cron } : {}),
                        heartbeat: {
                            hostname: `${config.edge.hostname}-heartbeat.${config.cloudflare.zoneName}`,
                            compatibilityDate: config.edge.compatibilityDate,
                        },
                    },
                },
                // The exporters' IAM role is global (primary region's provider); their tokens are Cloudflare's.
                { parent: this, providers: { kubernetes: k8sProvider, aws: primary.provider, cloudflare: cloudflareProvider } },
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
            monitoring: this.monitoring
                ? { namespace: this.monitoring.namespace, grafanaAdminSecretName: this.monitoring.grafanaAdminSecretName }
                : null,
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

    /**
     * Where P1 and P2 page: the services this stack declares in PagerDuty (onCall.manage), or
     * the one key of a PagerDuty managed elsewhere. Config validation guarantees what each needs.
     */
    private pagingKeys(name: string, config: PlatformConfig, namePrefix: string): Record<PagingPriority, pulumi.Input<string>> {
        const { onCall, secrets } = config;
        if (!onCall.manage) {
            const key = secrets.pagerdutyRoutingKey!;
            return { P1: key, P2: key };
        }
        const provider = new pagerduty.Provider("pagerduty", { token: secrets.pagerdutyToken! }, { parent: this });
        const { engineers, teamLead, engineeringManager, vpEngineering, rotationStart, timeZone } = onCall;
        return new OnCall(
            `${name}-oncall`,
            {
                namePrefix,
                settings: {
                    engineers: engineers!,
                    teamLead: teamLead!,
                    engineeringManager: engineeringManager!,
                    vpEngineering: vpEngineering!,
                    rotationStart,
                    timeZone,
                },
            },
            { parent: this, providers: { pagerduty: provider } },
        ).routingKeys;
    }
}
