import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { sectionSettings, type EdgeConfig, type SectionInput } from "../../config/schema";
import { deploymentVersions, stableVersion, type LiveDeployment } from "./rollout";
import { bundleWorker } from "./workerBundle";

export interface GatewayWorkerArgs {
    accountId: string;
    zoneId: string;
    /** Public hostname routed to the Worker, e.g. api.example.com. Required. */
    hostname: string;
    /** Physical script name. Required. */
    scriptName: string;
    /** Environment the Worker reports (its ENVIRONMENT var). Required. */
    environment: string;
    /** KV binding name -> namespace id; every one is exported by the scheduled backup. Required. */
    kvNamespaceIds: Record<string, pulumi.Input<string>>;
    /** R2 bucket the KV export writes to (binding BACKUPS). Required. */
    backupBucketName: pulumi.Input<string>;
    /** Provider keys (secrets), bound as secret bindings for the providers in `settings.providers.order`. */
    openaiApiKey?: pulumi.Input<string>;
    anthropicApiKey?: pulumi.Input<string>;
    /** The `ops-platform:edge` section: runtime settings, providers, KV backup and rollout. Optional; defaults in config/schema.ts. */
    settings?: SectionInput<"edge">;
}

/**
 * The gateway Worker (bundled from workers/gateway): the script, an immutable version per
 * change carrying its bindings, a gradual deployment that splits traffic between the new
 * version and the live one, the KV-export cron and the route of the public hostname.
 */
export class GatewayWorker extends pulumi.ComponentResource {
    readonly workerName: pulumi.Output<string>;
    readonly versionId: pulumi.Output<string>;
    /** The version that served before this one: what a rollback pins. */
    readonly previousVersionId: pulumi.Output<string | undefined>;

    constructor(name: string, args: GatewayWorkerArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:edge:GatewayWorker", name, {}, opts);
        const settings = sectionSettings("edge", args.settings, name);
        const { accountId } = args;
        const bundle = bundleWorker();

        const worker = new cloudflare.Worker(name, { accountId, name: args.scriptName, observability: { enabled: true }, subdomain: { enabled: false } }, { parent: this });
        const version = new cloudflare.WorkerVersion(
            name,
            {
                accountId,
                workerId: worker.id,
                compatibilityDate: settings.compatibilityDate,
                mainModule: "index.js",
                modules: [{ name: "index.js", contentBase64: Buffer.from(bundle.code).toString("base64"), contentType: "application/javascript+module" }],
                bindings: workerBindings(args, settings, bundle.version),
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
        const { rollout } = settings;
        new cloudflare.WorkersDeployment(
            name,
            {
                accountId,
                scriptName: worker.name,
                strategy: "percentage",
                versions: pulumi.all([version.id, previous]).apply(([newId, stable]) => deploymentVersions(newId, stable, rollout.canaryPercent, rollout.pinnedVersionId)),
                annotations: { workersMessage: `canary ${rollout.canaryPercent}%${rollout.pinnedVersionId ? ` (pinned ${rollout.pinnedVersionId})` : ""}` },
            },
            { parent: worker },
        );
        new cloudflare.WorkersCronTrigger(`${name}-kv-backup`, { accountId, scriptName: worker.name, schedules: [{ cron: settings.kvBackup.cron }] }, { parent: worker });
        new cloudflare.WorkersRoute(name, { zoneId: args.zoneId, pattern: `${args.hostname}/*`, script: worker.name }, { parent: worker });

        this.workerName = worker.name;
        this.versionId = version.id;
        this.previousVersionId = previous;
        this.registerOutputs({ workerName: this.workerName, versionId: this.versionId, previousVersionId: this.previousVersionId });
    }
}

/** KV, R2 and Durable Object bindings, runtime settings as vars, provider keys as secrets. */
function workerBindings(args: GatewayWorkerArgs, s: EdgeConfig, version: string): cloudflare.types.input.WorkerVersionBinding[] {
    const vars: Record<string, string> = {
        ENVIRONMENT: args.environment,
        VERSION: version,
        ORIGIN_URL: `https://${args.hostname}`,
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
        KV_BACKUP_BINDINGS: Object.keys(args.kvNamespaceIds).join(","),
        KV_BACKUP_PREFIX: s.kvBackup.prefix,
        KV_BACKUP_RETENTION_DAYS: String(s.kvBackup.retentionDays),
    };
    const secrets: Array<[string, pulumi.Input<string> | undefined]> = [
        ["OPENAI_API_KEY", s.providers.order.includes("openai") ? args.openaiApiKey : undefined],
        ["ANTHROPIC_API_KEY", s.providers.order.includes("anthropic") ? args.anthropicApiKey : undefined],
    ];
    return [
        ...Object.entries(args.kvNamespaceIds).map(([binding, namespaceId]) => ({ type: "kv_namespace", name: binding, namespaceId })),
        { type: "r2_bucket", name: "BACKUPS", bucketName: args.backupBucketName },
        { type: "durable_object_namespace", name: "RATE_LIMITER", className: "RateLimiter" },
        ...Object.entries(vars).map(([name, text]) => ({ type: "plain_text", name, text })),
        ...secrets.filter((e): e is [string, pulumi.Input<string>] => e[1] !== undefined).map(([name, value]) => ({ type: "secret_text", name, text: pulumi.secret(value) })),
    ];
}
