import * as pulumi from "@pulumi/pulumi";
import { type SectionInput } from "../../config/schema";
import { sectionSettings } from "../../config/sections";
import { EdgeLoadBalancer, type EdgeOrigin } from "./edgeLoadBalancer";
import { EdgeNotifications, type EdgeNotificationsArgs } from "./edgeNotifications";
import { GatewayWorker, type GatewayWorkerArgs } from "./gatewayWorker";
import { KvNamespaces } from "./kvNamespaces";
import { R2Bucket } from "./r2Bucket";
import { WorkerLogs } from "./workerLogs";
import { analyticsDatasetName, gatewayScriptName } from "./names";

export interface EdgeArgs {
    accountId: string;
    zoneId: string;
    /** DNS zone, e.g. example.com. */
    zoneName: string;
    /** `<service>-<environment>`: prefix of every physical name, so the environment shows everywhere. */
    namePrefix: string;
    environment: string;
    /** The `ops-platform:edge` section. Optional; defaults in config/schema.ts. */
    settings?: SectionInput<"edge">;
    /** Origins in failover order: the first serves, the last is the fallback. Required, at least one. */
    origins: EdgeOrigin[];
    /** Our key for each provider (secrets), bound to the Worker as secret bindings. */
    providerKeys?: GatewayWorkerArgs["providerKeys"];
    /** Slack webhook URL (secret) for notifications. Optional. */
    slackWebhookUrl?: pulumi.Input<string>;
    /** Which Cloudflare notifications to declare (`cloudflare.notifications`). Optional. Defaults to the load-balancer health alert only. */
    notifications?: EdgeNotificationsArgs["notifications"];
    /** `protect` KV namespaces and the backup bucket. Optional. Defaults to PROTECT_BY_DEFAULT. */
    protect?: boolean;
}

/** KV namespaces the Worker binds; those in edge.kvBackup.bindings are exported by the scheduled backup. */
export const KV_BINDINGS = { CACHE: "cache", STATE: "state" } as const;

/**
 * The Cloudflare edge: the gateway Worker with its KV namespaces and the R2 bucket its KV
 * export goes to, the load balancer over the regions' ALBs, and notifications.
 */
export class Edge extends pulumi.ComponentResource {
    readonly workerName: pulumi.Output<string>;
    readonly workerUrl: string;
    readonly hostname: string;
    readonly versionId: pulumi.Output<string>;
    /** The version that served before this one: what a rollback pins. */
    readonly previousVersionId: pulumi.Output<string | undefined>;
    readonly kvNamespaceIds: Record<keyof typeof KV_BINDINGS, pulumi.Output<string>>;
    readonly backupBucketName: pulumi.Output<string>;
    /** The gateway's script, as its own analytics and Cloudflare's name it. */
    readonly gatewayScript: string;
    /** The gateway's own signals (Workers Analytics Engine). */
    readonly analyticsDataset: string;

    constructor(name: string, args: EdgeArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:edge:Edge", name, {}, opts);
        const { accountId, zoneId, namePrefix, protect } = args;
        const settings = sectionSettings("edge", args.settings, name);
        const child = { parent: this };
        this.hostname = `${settings.hostname}.${args.zoneName}`;
        this.workerUrl = `https://${this.hostname}`;

        this.gatewayScript = gatewayScriptName(namePrefix, settings.workerName);
        this.analyticsDataset = analyticsDatasetName(namePrefix);
        const kv = new KvNamespaces(name, { accountId, bindings: KV_BINDINGS, titlePrefix: namePrefix, protect }, child);
        const backups = new R2Bucket(
            `${name}-kv-backups`,
            {
                accountId,
                bucketName: `${namePrefix}-kv-backups`,
                retention: { prefix: settings.kvBackup.prefix, days: settings.kvBackup.retentionDays },
                lock: settings.kvBackup.lock,
                protect,
            },
            child,
        );
        const worker = new GatewayWorker(
            `${name}-gateway`,
            {
                accountId,
                zoneId,
                hostname: this.hostname,
                scriptName: this.gatewayScript,
                environment: args.environment,
                kvNamespaceIds: kv.ids,
                backupBucketName: backups.bucketName,
                analyticsDataset: this.analyticsDataset,
                providerKeys: args.providerKeys,
                settings,
            },
            child,
        );
        const lb = new EdgeLoadBalancer(
            name,
            { accountId, zoneId, hostname: this.hostname, namePrefix, origins: args.origins, settings },
            child,
        );
        new EdgeNotifications(
            name,
            {
                accountId,
                zoneId,
                namePrefix,
                poolIds: lb.poolIds,
                slackWebhookUrl: args.slackWebhookUrl,
                notifications: args.notifications,
            },
            child,
        );
        new WorkerLogs(
            `${name}-logs`,
            {
                accountId,
                scriptNames: [worker.workerName, worker.rateLimiterScriptName],
                bucketName: `${namePrefix}-worker-logs`,
                retentionDays: settings.logs.retentionDays,
                protect,
            },
            child,
        );

        this.workerName = worker.workerName;
        this.versionId = worker.versionId;
        this.previousVersionId = worker.previousVersionId;
        this.kvNamespaceIds = kv.ids as Record<keyof typeof KV_BINDINGS, pulumi.Output<string>>;
        this.backupBucketName = backups.bucketName;
        this.registerOutputs({
            workerName: this.workerName,
            workerUrl: this.workerUrl,
            hostname: this.hostname,
            versionId: this.versionId,
            previousVersionId: this.previousVersionId,
            kvNamespaceIds: this.kvNamespaceIds,
            backupBucketName: this.backupBucketName,
            analyticsDataset: this.analyticsDataset,
        });
    }
}
