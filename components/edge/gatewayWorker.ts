import * as cloudflare from "../cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { type EdgeConfig, type SectionInput } from "../../config/schema";
import { sectionSettings } from "../../config/sections";
import { RATE_LIMITER_MIGRATIONS } from "./durableObjects";
import { liveScriptMigrations } from "./liveMigrations";
import { deploymentVersions, previousVersion, stableVersion, type LiveDeployment } from "./rollout";
import { GATEWAY_ENTRY, RATE_LIMITER_ENTRY, bundleWorker } from "./workerBundle";
import { PROVIDER_CATALOGUE, providerBindings, type ProviderName } from "../../workers/gateway/src/providers/catalogue";
import { gatewayVars } from "./workerVars";
import { VERSION_METADATA_BINDING } from "../../workers/gateway/src/vars";

export interface GatewayWorkerArgs {
    accountId: string;
    zoneId: string;
    /** Public hostname routed to the Worker, e.g. api.example.com. Required. */
    hostname: string;
    /** Physical script name. Required. */
    scriptName: string;
    /** Environment the Worker reports (its ENVIRONMENT var). Required. */
    environment: string;
    /** KV binding name -> namespace id; those in `settings.kvBackup.bindings` are exported by the scheduled backup. Required. */
    kvNamespaceIds: Record<string, pulumi.Input<string>>;
    /** R2 bucket the KV export writes to (binding BACKUPS). Required. */
    backupBucketName: pulumi.Input<string>;
    /** Workers Analytics Engine dataset for the gateway's own signals (binding ANALYTICS). Optional; without it the Worker writes none. */
    analyticsDataset?: string;
    /** Our key for each provider (secrets), bound as `<prefix>_API_KEY` for the providers in `settings.providers.order`. */
    providerKeys?: Partial<Record<ProviderName, pulumi.Input<string>>>;
    /** The `ops-platform:edge` section: runtime settings, providers, KV backup and rollout. Optional; defaults in config/schema.ts. */
    settings?: SectionInput<"edge">;
    /** Entry module of the gateway's source. Optional. Defaults to GATEWAY_ENTRY (workers/gateway/src/index.ts). */
    entry?: string;
}

/** The script that hosts the gateway's RateLimiter Durable Object class. */
export function rateLimiterScriptName(gatewayScriptName: string): string {
    return `${gatewayScriptName}-rate-limiter`;
}

/**
 * The gateway Worker (bundled from workers/gateway): the script, an immutable version per
 * change carrying its bindings, a gradual deployment that splits traffic between the new
 * version and the live one, the KV-export cron and the route of the public hostname; and the
 * script hosting its rate-limiter Durable Object.
 */
export class GatewayWorker extends pulumi.ComponentResource {
    readonly workerName: pulumi.Output<string>;
    readonly rateLimiterScriptName: pulumi.Output<string>;
    readonly versionId: pulumi.Output<string>;
    /** The version that served before this one: what a rollback pins. */
    readonly previousVersionId: pulumi.Output<string | undefined>;

    constructor(name: string, args: GatewayWorkerArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:edge:GatewayWorker", name, {}, opts);
        const settings = sectionSettings("edge", args.settings, name);
        const unbound = settings.kvBackup.bindings.filter((b) => !(b in args.kvNamespaceIds));
        if (unbound.length > 0)
            throw new Error(
                `${name}: edge.kvBackup.bindings names ${unbound.join(", ")}, which the Worker does not bind; expected some of ${Object.keys(args.kvNamespaceIds).join(", ")}`,
            );
        const { accountId } = args;
        const bundle = bundleWorker(args.entry ?? GATEWAY_ENTRY);

        // The Durable Object's own script, uploaded non-versioned with only the migrations the
        // live script lacks: Cloudflare refuses migrations on versions (10211) and a repeated
        // newTag without the live oldTag (10079).
        const limiterScriptName = rateLimiterScriptName(args.scriptName);
        const rateLimiter = new cloudflare.WorkersScript(
            `${name}-rate-limiter`,
            {
                accountId,
                scriptName: limiterScriptName,
                mainModule: "index.js",
                content: bundleWorker(RATE_LIMITER_ENTRY).code,
                compatibilityDate: settings.compatibilityDate,
                migrations: liveScriptMigrations(accountId, limiterScriptName, RATE_LIMITER_MIGRATIONS, this),
                observability: { enabled: true },
                logpush: true,
            },
            { parent: this },
        );

        // logpush: its trace events go to the log bucket (WorkerLogs).
        const worker = new cloudflare.Worker(
            name,
            { accountId, name: args.scriptName, observability: { enabled: true }, logpush: true, subdomain: { enabled: false } },
            { parent: this },
        );
        const version = new cloudflare.WorkerVersion(
            name,
            {
                accountId,
                workerId: worker.id,
                compatibilityDate: settings.compatibilityDate,
                mainModule: "index.js",
                modules: [
                    {
                        name: "index.js",
                        contentBase64: Buffer.from(bundle.code).toString("base64"),
                        contentType: "application/javascript+module",
                    },
                ],
                bindings: workerBindings(args, settings, bundle.version, limiterScriptName),
                annotations: { workersMessage: `ops-platform gateway ${bundle.version}`, workersTag: bundle.version },
            },
            // Versions are immutable; keep old ones so a rollback can pin them. The bound class
            // must exist before a version binds it (10061).
            { parent: worker, retainOnDelete: true, dependsOn: [rateLimiter] },
        );
        const live = cloudflare.getWorkersDeploymentsOutput({ accountId, scriptName: worker.name }, { parent: this, dependsOn: [worker] });
        const history = live.results.apply((results) =>
            results.flatMap((r) => r.deployments.map((d): LiveDeployment => ({ createdOn: d.createdOn, versions: d.versions }))),
        );
        const { rollout } = settings;
        const deployment = new cloudflare.WorkersDeployment(
            name,
            {
                accountId,
                scriptName: worker.name,
                strategy: "percentage",
                versions: pulumi
                    .all([version.id, history])
                    .apply(([newId, deployments]) =>
                        deploymentVersions(newId, stableVersion(deployments, newId), rollout.canaryPercent, rollout.pinnedVersionId),
                    ),
                annotations: {
                    workersMessage: `canary ${rollout.canaryPercent}%${rollout.pinnedVersionId ? ` (pinned ${rollout.pinnedVersionId})` : ""}`,
                },
            },
            { parent: worker },
        );
        // The triggers wait for a deployed version: a route or a schedule on a Worker that never
        // deployed would serve nothing. An export switched off keeps its trigger with no
        // schedule, since the provider's delete of a trigger leaves its schedules running.
        const deployed = { parent: worker, dependsOn: [deployment] };
        new cloudflare.WorkersCronTrigger(
            `${name}-kv-backup`,
            { accountId, scriptName: worker.name, schedules: settings.kvBackup.enabled ? [{ cron: settings.kvBackup.cron }] : [] },
            deployed,
        );
        new cloudflare.WorkersRoute(name, { zoneId: args.zoneId, pattern: `${args.hostname}/*`, script: worker.name }, deployed);

        this.workerName = worker.name;
        this.rateLimiterScriptName = rateLimiter.scriptName;
        this.versionId = version.id;
        this.previousVersionId = pulumi.all([history, version.id]).apply(([deployments, id]) => previousVersion(deployments, id));
        this.registerOutputs({ workerName: this.workerName, versionId: this.versionId, previousVersionId: this.previousVersionId });
    }
}

/** KV, R2 and Durable Object bindings, runtime settings as vars, provider keys as secrets. */
function workerBindings(
    args: GatewayWorkerArgs,
    s: EdgeConfig,
    version: string,
    rateLimiterScript: string,
): cloudflare.types.input.WorkerVersionBinding[] {
    const vars = gatewayVars(s, { environment: args.environment, version, originUrl: `https://${args.hostname}` });
    const secrets = s.providers.order.map(
        (provider) => [providerBindings(PROVIDER_CATALOGUE[provider]).apiKey, args.providerKeys?.[provider]] as const,
    );
    return [
        ...Object.entries(args.kvNamespaceIds).map(([binding, namespaceId]) => ({ type: "kv_namespace", name: binding, namespaceId })),
        { type: "r2_bucket", name: "BACKUPS", bucketName: args.backupBucketName },
        { type: "durable_object_namespace", name: "RATE_LIMITER", className: "RateLimiter", scriptName: rateLimiterScript },
        ...(args.analyticsDataset ? [{ type: "analytics_engine", name: "ANALYTICS", dataset: args.analyticsDataset }] : []),
        // Each data point names the version that wrote it, so a canary is judged against the stable version.
        { type: "version_metadata", name: VERSION_METADATA_BINDING },
        ...Object.entries(vars).map(([name, text]) => ({ type: "plain_text", name, text })),
        ...secrets
            .filter((e): e is readonly [string, pulumi.Input<string>] => e[1] !== undefined)
            .map(([name, value]) => ({ type: "secret_text", name, text: pulumi.secret(value) })),
    ];
}
