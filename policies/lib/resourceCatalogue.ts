/**
 * What the platform knows of each resource type, written once: which hold data, where a
 * stateful resource's BackupTier tag lives, which are critical or customer-facing, which
 * changes are routine, which Worker bindings are exported. The policy rules, the plan's risk
 * score (tools/plan/risk.ts) and its backup coverage (tools/plan/coverage.ts) all read it here.
 */
import { asArray, isUnknown } from "./resources";
import { ownTags } from "./tags";

/** Resources whose deletion loses data or keys. */
export const STATEFUL_TYPES: readonly string[] = [
    "aws:kms/key:Key",
    "aws:backup/vault:Vault",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster",
    "aws:dynamodb/table:Table",
    "aws:efs/fileSystem:FileSystem",
    "aws:ebs/volume:Volume",
    "cloudflare:index/workersKvNamespace:WorkersKvNamespace",
    "cloudflare:index/r2Bucket:R2Bucket",
];

/** Where a stateful resource's BackupTier tag lives, per type. */
export const STATEFUL_TIER_TAGS: Readonly<Record<string, (inputs: Record<string, unknown>) => Array<Record<string, string>>>> = {
    "aws:ec2/launchTemplate:LaunchTemplate": (i) =>
        asArray<{ resourceType: string; tags: Record<string, string> }>(i["tagSpecifications"])
            .filter((s) => s.resourceType === "instance" || s.resourceType === "volume")
            .map((s) => s.tags ?? {}),
    "aws:autoscaling/group:Group": (i) => [ownTags(i)],
    "aws:ec2/instance:Instance": (i) => [ownTags(i)],
    "aws:ebs/volume:Volume": (i) => [ownTags(i)],
    "aws:rds/instance:Instance": (i) => [ownTags(i)],
    "aws:rds/cluster:Cluster": (i) => [ownTags(i)],
    "aws:dynamodb/table:Table": (i) => [ownTags(i)],
    "aws:efs/fileSystem:FileSystem": (i) => [ownTags(i)],
};

/** Launch templates and autoscaling groups carry tiers for what they launch but hold no data themselves. */
const LAUNCHERS = new Set(["aws:ec2/launchTemplate:LaunchTemplate", "aws:autoscaling/group:Group"]);

/** Whether the resource itself holds data: replacing or deleting it loses that data. */
export function isStateful(type: string): boolean {
    return STATEFUL_TYPES.includes(type) || (type in STATEFUL_TIER_TAGS && !LAUNCHERS.has(type));
}

/**
 * What replacing or deleting takes traffic or data with it: networks, vaults, keys, buckets, KV
 * namespaces, load balancers; and the paging path: a replaced integration is a new routing key.
 */
const CRITICAL =
    /^(aws:ec2\/(vpc|subnet|natGateway|internetGateway):|aws:backup\/vault:|aws:kms\/key:|aws:s3\/bucket(V2)?:|aws:lb\/loadBalancer:|cloudflare:index\/(r2Bucket|workersKvNamespace|loadBalancer|loadBalancerPool):|pagerduty:index\/(service|serviceIntegration|escalationPolicy):)/;
export const isCriticalType = (type: string): boolean => CRITICAL.test(type);

/** What customers reach: a change here touches live traffic. */
const CUSTOMER_FACING =
    /^(aws:lb\/|aws:autoscaling\/|aws:ec2\/launchTemplate|cloudflare:index\/(loadBalancer|worker|workers(Route|Deployment|CustomDomain)))/;
export const isCustomerFacingType = (type: string): boolean => CUSTOMER_FACING.test(type);

/**
 * The platform's routine: Worker versions are immutable (every code or config change is a new
 * one), a deployment is replaced at each canary step, dashboards and rules are generated content.
 */
const ROUTINE_TYPES = new Set([
    "cloudflare:index/workerVersion:WorkerVersion",
    "cloudflare:index/workersDeployment:WorkersDeployment",
    "cloudflare:index/workersCronTrigger:WorkersCronTrigger",
    "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
    "kubernetes:monitoring.coreos.com/v1:Probe",
    "kubernetes:core/v1:ConfigMap",
]);
export const isRoutineType = (type: string): boolean => ROUTINE_TYPES.has(type);

/**
 * Types whose delete in the provider changes nothing live, and what it leaves behind: a delete
 * or a replacement of one is not the clean-up it looks like (docs/provider-rules.md).
 */
export const LIVE_AFTER_DELETE: Readonly<Record<string, string>> = {
    "cloudflare:index/workersCronTrigger:WorkersCronTrigger":
        "the provider's delete is a no-op: the script keeps running its schedules; set its schedules to [] in an up before removing or replacing it",
};

/** Every Cloudflare resource type that binds values into a Worker. */
export const WORKER_BINDING_TYPES: readonly string[] = [
    "cloudflare:index/workerVersion:WorkerVersion",
    "cloudflare:index/workerScript:WorkerScript",
    "cloudflare:index/workersScript:WorkersScript",
];
export const KV_NAMESPACE_TYPE = "cloudflare:index/workersKvNamespace:WorkersKvNamespace";
const CRON_TRIGGER_TYPE = "cloudflare:index/workersCronTrigger:WorkersCronTrigger";

export type WorkerBinding = { type: string; name: string; text?: string; bucketName?: string; namespaceId?: unknown };

/** KV bindings whose contents are a cache: regenerated on a miss, so nothing to restore. */
const REGENERABLE_KV_BINDINGS: readonly string[] = ["CACHE"];

type Judged = { type: string; inputs: Record<string, unknown> };

/**
 * How a Worker keeps what one of its KV bindings holds, the one predicate the policy
 * `kv-namespaces-exported` and the plan's coverage report share: "exported" when the binding is
 * in its KV_BACKUP_BINDINGS (the scheduled export to R2), "regenerable" when it is a cache
 * refilled on a miss, else "not exported". The export also needs a cron trigger: scheduledExport.
 */
export function kvBindingKept(worker: Judged, binding: string): "exported" | "regenerable" | "not exported" {
    const exported =
        asArray<WorkerBinding>(worker.inputs["bindings"])
            .find((b) => b.name === "KV_BACKUP_BINDINGS")
            ?.text?.split(",") ?? [];
    if (exported.includes(binding)) return "exported";
    return REGENERABLE_KV_BINDINGS.includes(binding) ? "regenerable" : "not exported";
}

/** Whether any Worker cron trigger has a schedule: what runs the KV export. */
export function scheduledExport(resources: readonly Judged[]): boolean {
    return resources.some((r) => r.type === CRON_TRIGGER_TYPE && asArray(r.inputs["schedules"]).length > 0);
}

/** The Workers' KV bindings that name `namespaceId` (a binding is tied to its namespace by id, once ids exist). */
export function kvBindingsOf(namespaceId: unknown, resources: readonly Judged[]): Array<{ worker: Judged; binding: string }> {
    if (namespaceId === undefined || namespaceId === "" || isUnknown(namespaceId)) return [];
    return resources
        .filter((r) => WORKER_BINDING_TYPES.includes(r.type))
        .flatMap((worker) =>
            asArray<WorkerBinding>(worker.inputs["bindings"])
                .filter((b) => b.type === "kv_namespace" && b.namespaceId === namespaceId)
                .map((b) => ({ worker, binding: b.name })),
        );
}
