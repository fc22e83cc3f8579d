import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import type { EdgeConfig } from "../../config/schema";
import { deploymentVersions, stableVersion, type LiveDeployment } from "./rollout";
import { bundleWorker } from "./workerBundle";

export interface EdgeOrigin {
    /** AWS region of the origin; names its pool. */
    region: string;
    /** DNS name of that region's load balancer. */
    address: pulumi.Input<string>;
}

export interface EdgeArgs {
    accountId: string;
    zoneId: string;
    /** DNS zone, e.g. example.com. */
    zoneName: string;
    /** `<service>-<environment>`: prefix of every physical name, so the environment shows everywhere. */
    namePrefix: string;
    environment: string;
    /** Worker, cache, rate limit, provider, backup, rollout and load balancer settings. Required. */
    settings: EdgeConfig;
    /** Origins in failover order: the first serves, the last is the fallback. Required, at least one. */
    origins: EdgeOrigin[];
    /** Provider keys (secrets), bound to the Worker as secret bindings. */
    openaiApiKey?: pulumi.Input<string>;
    anthropicApiKey?: pulumi.Input<string>;
    /** Webhook URLs (secrets) for notifications. Optional; without them no notification policy is made. */
    slackWebhookUrl?: pulumi.Input<string>;
    pagerdutyWebhookUrl?: pulumi.Input<string>;
    /** `protect` KV namespaces and the backup bucket. Optional. Defaults to true. */
    protect?: boolean;
}

/** KV namespaces the Worker binds; every one is exported by the scheduled backup. */
export const KV_BINDINGS = { CACHE: "cache", STATE: "state" } as const;

/**
 * The Cloudflare edge: the gateway Worker (bundled from workers/gateway) with its KV, R2 and
 * Durable Object, rolled out as a gradual deployment; the load balancer over the regions'
 * ALBs; notifications to Slack and PagerDuty.
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

    constructor(name: string, args: EdgeArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:edge:Edge", name, {}, opts);
        if (args.origins.length === 0) throw new Error(`${name}: at least one origin is required`);
        const { settings, accountId } = args;
        const protect = args.protect ?? true;
        const child = { parent: this };
        this.hostname = `${settings.hostname}.${args.zoneName}`;
        this.workerUrl = `https://${this.hostname}`;

        // --- storage ---
        const namespaces = Object.fromEntries(
            Object.entries(KV_BINDINGS).map(([binding, suffix]) => [binding, new cloudflare.WorkersKvNamespace(`${name}-${suffix}`, { accountId, title: `${args.namePrefix}-${suffix}` }, { ...child, protect })]),
        ) as Record<keyof typeof KV_BINDINGS, cloudflare.WorkersKvNamespace>;
        const bucket = new cloudflare.R2Bucket(`${name}-kv-backups`, { accountId, name: `${args.namePrefix}-kv-backups` }, { ...child, protect });
        const backup = settings.kvBackup;
        const retentionSeconds = backup.retentionDays * 86_400;
        new cloudflare.R2BucketLifecycle(
            `${name}-kv-backups`,
            {
                accountId,
                bucketName: bucket.name,
                rules: [
                    // A day past the Worker's own pruning: the safety net if the cron stops.
                    { id: "expire-kv-backups", enabled: true, conditions: { prefix: backup.prefix }, deleteObjectsTransition: { condition: { type: "Age", maxAge: retentionSeconds + 86_400 } } },
                    { id: "abort-incomplete-uploads", enabled: true, conditions: { prefix: "" }, abortMultipartUploadsTransition: { condition: { type: "Age", maxAge: 86_400 } } },
                ],
            },
            { parent: bucket },
        );
        if (backup.lock) {
            new cloudflare.R2BucketLock(
                `${name}-kv-backups`,
                { accountId, bucketName: bucket.name, rules: [{ id: "retain-kv-backups", enabled: true, prefix: backup.prefix, condition: { type: "Age", maxAgeSeconds: retentionSeconds } }] },
                { parent: bucket, protect },
            );
        }

        // --- the Worker, its versions and the gradual deployment ---
        const bundle = bundleWorker();
        const worker = new cloudflare.Worker(`${name}-gateway`, { accountId, name: `${args.namePrefix}-${settings.workerName}`, observability: { enabled: true }, subdomain: { enabled: false } }, child);
        const version = new cloudflare.WorkerVersion(
            `${name}-gateway`,
            {
                accountId,
                workerId: worker.id,
                compatibilityDate: settings.compatibilityDate,
                mainModule: "index.js",
                modules: [{ name: "index.js", contentBase64: Buffer.from(bundle.code).toString("base64"), contentType: "application/javascript+module" }],
                bindings: this.bindings(args, namespaces, bucket, bundle.version),
                migrations: { newTag: "v1", steps: [{ newSqliteClasses: ["RateLimiter"] }] },
                annotations: { workersMessage: `ops-platform gateway ${bundle.version}`, workersTag: bundle.version },
            },
            // Versions are immutable; keep old ones so a rollback can pin them.
            { parent: worker, retainOnDelete: true },
        );
        const live = cloudflare.getWorkersDeploymentsOutput({ accountId, scriptName: worker.name }, { parent: this, dependsOn: [worker] });
        const previous = pulumi.all([live.results, version.id]).apply(([results, newId]) =>
            stableVersion(results.flatMap((r) => r.deployments.map((d): LiveDeployment => ({ createdOn: d.createdOn, versions: d.versions }))), newId),
        );
        new cloudflare.WorkersDeployment(
            `${name}-gateway`,
            {
                accountId,
                scriptName: worker.name,
                strategy: "percentage",
                versions: pulumi.all([version.id, previous]).apply(([newId, stable]) => deploymentVersions(newId, stable, settings.rollout.canaryPercent, settings.rollout.pinnedVersionId)),
                annotations: { workersMessage: `canary ${settings.rollout.canaryPercent}%${settings.rollout.pinnedVersionId ? ` (pinned ${settings.rollout.pinnedVersionId})` : ""}` },
            },
            { parent: worker },
        );
        new cloudflare.WorkersCronTrigger(`${name}-kv-backup`, { accountId, scriptName: worker.name, schedules: [{ cron: backup.cron }] }, { parent: worker });
        new cloudflare.WorkersRoute(`${name}-gateway`, { zoneId: args.zoneId, pattern: `${this.hostname}/*`, script: worker.name }, { parent: worker });

        // --- load balancer over the regions' ALBs ---
        const lb = settings.loadBalancer;
        const monitor = new cloudflare.LoadBalancerMonitor(
            `${name}-health`,
            {
                accountId,
                description: `${args.namePrefix} /health`,
                type: "https",
                method: "GET",
                path: "/health",
                expectedCodes: "200",
                interval: lb.monitorIntervalSeconds,
                retries: lb.monitorRetries,
                timeout: lb.monitorTimeoutSeconds,
                consecutiveDown: lb.consecutiveDown,
                consecutiveUp: lb.consecutiveUp,
                followRedirects: false,
                allowInsecure: false,
                header: { Host: [this.hostname] },
            },
            child,
        );
        const pools = args.origins.map(
            (origin) =>
                new cloudflare.LoadBalancerPool(
                    `${name}-${origin.region}`,
                    {
                        accountId,
                        name: `${args.namePrefix}-${origin.region}`,
                        description: `${origin.region} application load balancer`,
                        origins: [{ name: origin.region, address: origin.address, enabled: true, weight: 1, header: { hosts: [this.hostname] } }],
                        monitor: monitor.id,
                        minimumOrigins: 1,
                    },
                    { parent: monitor },
                ),
        );
        new cloudflare.LoadBalancer(
            name,
            {
                zoneId: args.zoneId,
                name: this.hostname,
                description: `${args.namePrefix}: failover across ${args.origins.map((o) => o.region).join(" -> ")}`,
                defaultPools: pools.map((p) => p.id),
                fallbackPool: pools[pools.length - 1]!.id,
                steeringPolicy: "off",
                proxied: true,
                sessionAffinity: "none",
            },
            child,
        );

        this.notifications(name, args, pools);

        this.workerName = worker.name;
        this.versionId = version.id;
        this.previousVersionId = previous;
        this.kvNamespaceIds = { CACHE: namespaces.CACHE.id, STATE: namespaces.STATE.id };
        this.backupBucketName = bucket.name;
        this.registerOutputs({ workerName: this.workerName, workerUrl: this.workerUrl, hostname: this.hostname, versionId: this.versionId, previousVersionId: this.previousVersionId, kvNamespaceIds: this.kvNamespaceIds, backupBucketName: this.backupBucketName });
    }

    private bindings(args: EdgeArgs, namespaces: Record<keyof typeof KV_BINDINGS, cloudflare.WorkersKvNamespace>, bucket: cloudflare.R2Bucket, version: string): cloudflare.types.input.WorkerVersionBinding[] {
        const s = args.settings;
        const vars: Record<string, string> = {
            ENVIRONMENT: args.environment,
            VERSION: version,
            ORIGIN_URL: this.workerUrl,
            CACHE_SIZE: String(s.cache.size),
            CACHE_TTL_MS: String(s.cache.ttlMs),
            CACHE_CLEANUP_INTERVAL_MS: String(s.cache.cleanupIntervalMs),
            RATE_LIMIT_MAX_REQUESTS: String(s.rateLimit.maxRequests),
            RATE_LIMIT_WINDOW_MS: String(s.rateLimit.windowMs),
            RATE_LIMIT_BURST: String(s.rateLimit.burstSize),
            CONCURRENCY_MAX: String(s.concurrency.max),
            CONCURRENCY_MIN: String(s.concurrency.min),
            PROVIDER_ORDER: s.providers.order.join(","),
            PROVIDER_TIMEOUT_MS: String(s.providers.timeoutMs),
            OPENAI_URL: s.providers.openaiUrl,
            OPENAI_MODEL: s.providers.openaiModel,
            ANTHROPIC_URL: s.providers.anthropicUrl,
            ANTHROPIC_MODEL: s.providers.anthropicModel,
            KV_BACKUP_BINDINGS: Object.keys(KV_BINDINGS).join(","),
            KV_BACKUP_PREFIX: s.kvBackup.prefix,
            KV_BACKUP_RETENTION_DAYS: String(s.kvBackup.retentionDays),
        };
        const secrets: Array<[string, pulumi.Input<string> | undefined]> = [
            ["OPENAI_API_KEY", s.providers.order.includes("openai") ? args.openaiApiKey : undefined],
            ["ANTHROPIC_API_KEY", s.providers.order.includes("anthropic") ? args.anthropicApiKey : undefined],
        ];
        return [
            ...Object.entries(namespaces).map(([binding, ns]) => ({ type: "kv_namespace", name: binding, namespaceId: ns.id })),
            { type: "r2_bucket", name: "BACKUPS", bucketName: bucket.name },
            { type: "durable_object_namespace", name: "RATE_LIMITER", className: "RateLimiter" },
            ...Object.entries(vars).map(([name, text]) => ({ type: "plain_text", name, text })),
            ...secrets.filter((e): e is [string, pulumi.Input<string>] => e[1] !== undefined).map(([name, value]) => ({ type: "secret_text", name, text: pulumi.secret(value) })),
        ];
    }

    /** Load balancer health and edge errors to Slack and PagerDuty webhooks. */
    private notifications(name: string, args: EdgeArgs, pools: cloudflare.LoadBalancerPool[]): void {
        const hooks = [
            ["slack", args.slackWebhookUrl],
            ["pagerduty", args.pagerdutyWebhookUrl],
        ]
            .filter((h): h is [string, pulumi.Input<string>] => h[1] !== undefined)
            .map(([kind, url]) => new cloudflare.NotificationPolicyWebhooks(`${name}-${kind}`, { accountId: args.accountId, name: `${args.namePrefix}-${kind}`, url: pulumi.secret(url) }, { parent: this }));
        if (hooks.length === 0) return;
        const mechanisms = { webhooks: hooks.map((h) => ({ id: h.id })) };
        new cloudflare.NotificationPolicy(
            `${name}-lb-health`,
            { accountId: args.accountId, name: `${args.namePrefix} load balancer health`, alertType: "load_balancing_health_alert", enabled: true, filters: { poolIds: pools.map((p) => p.id), newHealths: ["Unhealthy", "Healthy"] }, mechanisms },
            { parent: this },
        );
        new cloudflare.NotificationPolicy(
            `${name}-edge-errors`,
            { accountId: args.accountId, name: `${args.namePrefix} edge and Worker errors`, alertType: "http_alert_edge_error", enabled: true, filters: { zones: [args.zoneId], slos: ["99.9"] }, mechanisms },
            { parent: this },
        );
    }
}
