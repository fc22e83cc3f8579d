/**
 * Backup rules: what AWS Backup Audit Manager checks after deploy, checked before it, on the
 * plans' contents; plus the Worker's KV export on Cloudflare.
 */
import {
    BACKUP_RETENTION_TAG,
    BACKUP_TIERS,
    BACKUP_PLAN_TAG,
    BACKUP_TIER_TAG,
    COLD_STORAGE_MIN_DAYS,
    SEED_GFS,
    SEED_OBJECTIVES,
    formatMinutes,
    scheduleIntervalMinutes,
    type BackupTier,
} from "../lib/backupMatrix";
import type { Judgement, PolicyResource, ResourceRule, RuleContext, StackRule } from "../engine";
import {
    asArray,
    dependentsOf,
    get,
    isProduction,
    isUnknown,
    ofType,
    referringTo,
    regionOf,
    regionOfArn,
    selectionMatches,
    stackIsProduction,
} from "../lib/resources";
import { effectiveTags } from "../lib/tags";
import { STATEFUL_TIER_TAGS, WORKER_BINDING_TYPES, kvBindingKept, scheduledExport, type WorkerBinding } from "../lib/resourceCatalogue";

const PLAN = "aws:backup/plan:Plan";
const VAULT = "aws:backup/vault:Vault";
const SELECTION = "aws:backup/selection:Selection";

interface Lifecycle {
    deleteAfter?: number;
    coldStorageAfter?: number;
}
interface PlanRule {
    ruleName: string;
    targetVaultName?: string;
    schedule?: string;
    enableContinuousBackup?: boolean;
    lifecycle?: Lifecycle;
    recoveryPointTags?: Record<string, string>;
    copyActions?: Array<{ destinationVaultArn?: string; lifecycle?: Lifecycle }>;
}

const planRules = (plan: PolicyResource) => asArray<PlanRule>(plan.inputs["rules"]);
const planName = (plan: PolicyResource) => String(plan.inputs["name"] ?? plan.name);

/** The tier a selection picks by (its BackupTier selection tag or condition), for the plan it belongs to. */
function tierSelectedFor(plan: PolicyResource, resources: readonly PolicyResource[]): BackupTier | undefined {
    const selections = [
        ...dependentsOf(resources, plan, SELECTION),
        ...ofType(resources, SELECTION).filter((s) => plan.id !== undefined && s.inputs["planId"] === plan.id),
    ];
    for (const s of selections) {
        const byTag = asArray<{ key: string; value: string }>(s.inputs["selectionTags"]).find((t) => t.key === BACKUP_TIER_TAG)?.value;
        const byCondition = asArray(s.inputs["conditions"])
            .flatMap((c) => asArray<{ key: string; value: string }>(get(c, "stringEquals")))
            .find((c) => c.key === `aws:ResourceTag/${BACKUP_TIER_TAG}`)?.value;
        const tier = byTag ?? byCondition;
        if (isTier(tier)) return tier;
    }
    return undefined;
}

/** Whether `arn` names `vault` (by its ARN, or an ARN ending in its name). */
function namesVault(arn: unknown, vault: PolicyResource): boolean {
    const name = vault.inputs["name"] ?? vault.id;
    return typeof arn === "string" && (arn === vault.inputs["arn"] || (typeof name === "string" && arn.endsWith(`:backup-vault:${name}`)));
}
const isTier = (t: unknown): t is BackupTier => (BACKUP_TIERS as readonly unknown[]).includes(t);

/** Tier values that stateful resources of the stack carry. */
function tiersInUse(resources: readonly PolicyResource[]): Map<BackupTier, PolicyResource[]> {
    const used = new Map<BackupTier, PolicyResource[]>();
    for (const r of resources) {
        const tagSets = STATEFUL_TIER_TAGS[r.type]?.(r.inputs) ?? [];
        for (const tier of new Set(tagSets.map((t) => t[BACKUP_TIER_TAG])))
            if (isTier(tier)) used.set(tier, [...(used.get(tier) ?? []), r]);
    }
    return used;
}

export const backupResourcesProtectedByPlan: StackRule = {
    name: "backup-resources-protected-by-plan",
    area: "backup",
    description:
        "Checks whether every backup-capable resource is selected by a backup plan through its BackupTier tag (BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN).",
    remediation:
        "Tag the resource with its BackupTier (and whatever else the plan's selection conditions require, such as Environment) so that a backup selection matches it.",
    validateStack(resources) {
        const selections = ofType(resources, SELECTION);
        const judgements: Judgement[] = [];
        for (const r of resources) {
            // What AWS matches selections against: the resource's tags with the provider's default tags.
            const tagSets = STATEFUL_TIER_TAGS[r.type]?.(r.inputs)?.map((tags) => ({
                ...effectiveTags(r.type, r.inputs, r.providerInputs),
                ...tags,
            }));
            if (!tagSets) continue;
            const uncovered = tagSets
                .filter((tags) => !selections.some((s) => selectionMatches(s.inputs, tags, r.type)))
                .map((t) => t[BACKUP_TIER_TAG]);
            if (uncovered.length > 0)
                judgements.push({
                    kind: "violation",
                    resource: r,
                    message: `Backup-capable resource must be selected by a backup plan; no selection matches ${BACKUP_TIER_TAG}=${uncovered.map((u) => u ?? "(none)").join(", ")}.`,
                });
        }
        return judgements;
    },
};

export const backupPlanFrequencyAndRetention: StackRule = {
    name: "backup-plan-frequency-and-retention",
    area: "backup",
    description:
        "Checks whether each backup rule runs at least as often as its tier's RPO and keeps points at least the tier's minimum (BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK). A rule's tier is its recovery points' BackupTier tag, else the tier the plan's selection picks by.",
    remediation:
        "Schedule each rule at least as often as its tier's RPO (continuous backup for RPOs under an hour) and keep points at least the tier's minimum retention, per the backup matrix; tag each rule's recovery points with its BackupTier, or select by BackupTier.",
    validateStack(resources) {
        return ofType(resources, PLAN).flatMap((plan) =>
            frequencyAndRetention(plan, tierSelectedFor(plan, resources)).map((j) => ({ ...j, resource: plan })),
        );
    },
};

function frequencyAndRetention(plan: PolicyResource, selectedTier: BackupTier | undefined): Judgement[] {
    if (isUnknown(plan.inputs["rules"])) return [{ kind: "not-evaluated", reason: "the plan's rules are unknown until deploy" }];
    return planRules(plan).flatMap((rule): Judgement[] => {
        const tagged = rule.recoveryPointTags?.[BACKUP_TIER_TAG];
        const tier = isTier(tagged) ? tagged : selectedTier;
        const deleteAfter = rule.lifecycle?.deleteAfter;
        if (!isTier(tier))
            return [
                {
                    kind: "violation",
                    message: `Backup rule ${rule.ruleName} of plan ${planName(plan)} has no tier: tag its recovery points with ${BACKUP_TIER_TAG} (one of ${BACKUP_TIERS.join(", ")}) or select the plan's resources by it.`,
                },
            ];
        if (isUnknown(deleteAfter) || isUnknown(rule.schedule))
            return [{ kind: "not-evaluated", reason: `rule ${rule.ruleName}'s schedule or retention is unknown until deploy` }];
        const gfs = rule.recoveryPointTags?.[BACKUP_RETENTION_TAG];
        if (gfs?.startsWith("gfs-")) {
            const minimum = SEED_GFS[`${gfs.slice(4)}Days` as keyof typeof SEED_GFS];
            return minimum !== undefined && (deleteAfter ?? Infinity) < minimum
                ? [
                      {
                          kind: "violation",
                          message: `GFS rule ${rule.ruleName} must keep points at least ${minimum} days, keeps ${deleteAfter}.`,
                      },
                  ]
                : [];
        }
        const objective = SEED_OBJECTIVES[tier];
        const problems: string[] = [];
        const interval = rule.schedule ? scheduleIntervalMinutes(rule.schedule) : undefined;
        if (interval === undefined && !rule.enableContinuousBackup) problems.push(`its schedule "${rule.schedule ?? ""}" cannot be read`);
        else if (interval !== undefined && interval > objective.rpoMinutes && !rule.enableContinuousBackup)
            problems.push(
                `it runs every ${formatMinutes(interval)}, longer than the ${tier} RPO of ${formatMinutes(objective.rpoMinutes)}`,
            );
        if (deleteAfter !== undefined && deleteAfter < objective.minRetentionDays)
            problems.push(`it keeps points ${deleteAfter} days, below the ${tier} minimum of ${objective.minRetentionDays}`);
        return problems.length > 0
            ? [
                  {
                      kind: "violation",
                      message: `Backup rule ${rule.ruleName} of plan ${planName(plan)} must meet its tier: ${problems.join("; ")}.`,
                  },
              ]
            : [];
    });
}

export const backupColdStorageMinimum: ResourceRule = {
    name: "backup-cold-storage-90-days",
    area: "backup",
    description:
        "Checks whether every lifecycle that moves points to cold storage keeps them there the 90 days AWS requires before deletion.",
    remediation: `Set deleteAfter to at least coldStorageAfter + ${COLD_STORAGE_MIN_DAYS}, or drop cold storage for that rule.`,
    appliesTo: (type) => type === PLAN,
    validateResource(plan) {
        const lifecycles = planRules(plan).flatMap((r) => [
            [r.ruleName, r.lifecycle] as const,
            ...(r.copyActions ?? []).map((c) => [`${r.ruleName} (copy)`, c.lifecycle] as const),
        ]);
        return lifecycles
            .filter(
                ([, l]) =>
                    l?.coldStorageAfter !== undefined &&
                    l.deleteAfter !== undefined &&
                    l.deleteAfter < l.coldStorageAfter + COLD_STORAGE_MIN_DAYS,
            )
            .map(([name, l]) => ({
                kind: "violation" as const,
                message: `Backup lifecycle of ${name} must keep cold points ${COLD_STORAGE_MIN_DAYS} days: cold after ${l!.coldStorageAfter}, deleted after ${l!.deleteAfter}.`,
            }));
    },
};

export const backupVaultCustomerKey: ResourceRule = {
    name: "backup-vault-customer-key",
    area: "backup",
    description:
        "Checks whether every backup vault encrypts recovery points with a customer-managed KMS key (BACKUP_RECOVERY_POINT_ENCRYPTED).",
    remediation: "Create an aws.kms.Key with rotation and pass its ARN as the vault's kmsKeyArn.",
    appliesTo: (type) => type === VAULT,
    validateResource(vault) {
        const key = vault.inputs["kmsKeyArn"];
        if (isUnknown(key)) return [{ kind: "not-evaluated", reason: "the vault's key ARN is unknown until its key is created" }];
        if (typeof key !== "string" || key === "" || /alias\/aws\//.test(key))
            return [
                { kind: "violation", message: "Backup vault must be encrypted with a customer-managed KMS key, not the AWS-managed one." },
            ];
        return [];
    },
};

function productionVaults(resources: readonly PolicyResource[], context: RuleContext): PolicyResource[] {
    return ofType(resources, VAULT).filter((v) => isProduction(v, context));
}

export const backupVaultLocked: StackRule = {
    name: "backup-vault-locked",
    area: "backup",
    description:
        "Checks whether every production backup vault is locked and the retention of every rule that writes to it (a copy: to its destination) lies inside its lock's bounds (BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK).",
    remediation:
        "Add an aws.backup.VaultLockConfiguration in compliance mode (changeableForDays set); keep every rule that writes to the vault inside its retention bounds (change the plan's retention: a compliance lock cannot be loosened).",
    validateStack(resources, context) {
        const plans = ofType(resources, PLAN);
        return productionVaults(resources, context).flatMap((vault): Judgement[] => {
            const vaultName = vault.inputs["name"] ?? vault.id;
            const writes = plans.flatMap((p) =>
                planRules(p).flatMap((r) => [
                    ...(r.targetVaultName !== undefined && r.targetVaultName === vaultName
                        ? [{ plan: p, what: `rule ${r.ruleName} of plan ${planName(p)}`, days: r.lifecycle?.deleteAfter }]
                        : []),
                    ...(r.copyActions ?? [])
                        .filter((c) => namesVault(c.destinationVaultArn, vault))
                        .map((c) => ({
                            plan: p,
                            what: `copies of rule ${r.ruleName} of plan ${planName(p)}`,
                            days: c.lifecycle?.deleteAfter,
                        })),
                ]),
            );
            const [lock] = referringTo(resources, vault, "aws:backup/vaultLockConfiguration:VaultLockConfiguration", "backupVaultName");
            if (!lock)
                return [
                    {
                        kind: "violation",
                        resource: vault,
                        message: "Production backup vault must be locked (aws.backup.VaultLockConfiguration).",
                    },
                ];
            const min = lock.inputs["minRetentionDays"];
            const max = lock.inputs["maxRetentionDays"];
            if (isUnknown(min) || isUnknown(max))
                return [{ kind: "not-evaluated", resource: vault, reason: "the lock's retention bounds are unknown until deploy" }];
            if (typeof min !== "number" || typeof max !== "number")
                return [
                    {
                        kind: "violation",
                        resource: vault,
                        message: "Production vault lock must set both minRetentionDays and maxRetentionDays.",
                    },
                ];
            // The plan's retention is what must change: a lock cannot be loosened once it is compliance-locked.
            const outside = writes.filter((w) => typeof w.days === "number" && (w.days < min || w.days > max));
            return [...new Set(outside.map((w) => w.plan))].map((p) => ({
                kind: "violation" as const,
                resource: p,
                message: `Retention written to vault ${String(vaultName)} must lie inside its lock's ${min}..${max} days: ${outside
                    .filter((w) => w.plan === p)
                    .map((w) => `${w.what} keeps ${w.days}`)
                    .join("; ")}.`,
            }));
        });
    },
};

function deniesDeletion(policyText: unknown): boolean {
    if (typeof policyText !== "string") return false;
    try {
        const statements = asArray<{ Effect: string; Principal: unknown; Action: string | string[] }>(
            (JSON.parse(policyText) as { Statement: unknown }).Statement,
        );
        return statements.some((s) => {
            const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
            const everyone = s.Principal === "*" || JSON.stringify(s.Principal) === '{"AWS":"*"}';
            return s.Effect === "Deny" && everyone && actions.some((a) => a === "backup:DeleteRecoveryPoint" || a === "backup:*");
        });
    } catch {
        return false;
    }
}

export const backupVaultDeletionDenied: StackRule = {
    name: "backup-vault-deletion-denied",
    area: "backup",
    description:
        "Checks whether every production backup vault's access policy denies deleting recovery points to everyone but a break-glass role (BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED).",
    remediation: "Attach an aws.backup.VaultPolicy that denies backup:DeleteRecoveryPoint to Principal * except the break-glass role.",
    validateStack(resources, context) {
        return productionVaults(resources, context).flatMap((vault): Judgement[] => {
            const policies = referringTo(resources, vault, "aws:backup/vaultPolicy:VaultPolicy", "backupVaultName");
            if (policies.some((p) => isUnknown(p.inputs["policy"])))
                return [{ kind: "not-evaluated", resource: vault, reason: "the vault policy is unknown until deploy" }];
            return policies.some((p) => deniesDeletion(p.inputs["policy"]))
                ? []
                : [
                      {
                          kind: "violation",
                          resource: vault,
                          message: "Production backup vault must deny backup:DeleteRecoveryPoint in its access policy.",
                      },
                  ];
        });
    },
};

export const backupCrossRegionCopy: ResourceRule = {
    name: "backup-cross-region-copy",
    area: "backup",
    description:
        "Checks whether every production backup rule copies to a vault in another region and keeps the copy at least as long as the source (BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION).",
    remediation: "Give every production rule a copyAction to a vault in another region, with a lifecycle at least as long as the rule's.",
    appliesTo: (type) => type === PLAN,
    validateResource(plan, context) {
        if (!isProduction(plan, context)) return [];
        const home = regionOf(plan);
        return planRules(plan).flatMap((rule): Judgement[] => {
            const copies = rule.copyActions ?? [];
            if (copies.some((c) => isUnknown(c.destinationVaultArn)))
                return [{ kind: "not-evaluated", reason: `rule ${rule.ruleName}'s copy destination is unknown until deploy` }];
            const offsite = copies.filter((c) => regionOfArn(c.destinationVaultArn) && regionOfArn(c.destinationVaultArn) !== home);
            if (offsite.length === 0)
                return [{ kind: "violation", message: `Production backup rule ${rule.ruleName} must copy to a vault in another region.` }];
            const source = rule.lifecycle?.deleteAfter ?? Infinity;
            const short = offsite.filter((c) => (c.lifecycle?.deleteAfter ?? Infinity) < source);
            return short.length > 0
                ? [{ kind: "violation", message: `Copies of ${rule.ruleName} must be kept at least ${source} days like the source.` }]
                : [];
        });
    },
};

export const backupRestoreTesting: StackRule = {
    name: "backup-restore-testing",
    area: "backup",
    description: "Checks whether a production stack tests restores of every backup tier its resources use.",
    remediation:
        "Add an aws.backup.RestoreTestingPlan with a RestoreTestingSelection per tier in use (protectedResourceConditions on aws:ResourceTag/BackupTier).",
    validateStack(resources, context) {
        if (!stackIsProduction(resources, context)) return [];
        const tested = new Set(
            ofType(resources, "aws:backup/restoreTestingSelection:RestoreTestingSelection").flatMap((s) =>
                asArray<{ key: string; value: string }>(get(s.inputs, "protectedResourceConditions.stringEquals"))
                    .filter((c) => c.key === `aws:ResourceTag/${BACKUP_TIER_TAG}`)
                    .map((c) => c.value),
            ),
        );
        const hasPlan = ofType(resources, "aws:backup/restoreTestingPlan:RestoreTestingPlan").length > 0;
        return [...tiersInUse(resources).keys()]
            .filter((tier) => !hasPlan || !tested.has(tier))
            .map((tier) => ({
                kind: "violation" as const,
                message: `Production must test restores of the ${tier} tier: no restore testing selection matches ${BACKUP_TIER_TAG}=${tier}.`,
            }));
    },
};

export const backupRestoreTimeTarget: StackRule = {
    name: "backup-restore-time-target",
    area: "backup",
    description:
        "Checks, as a proxy for RESTORE_TIME_FOR_RESOURCES_MEET_TARGET, whether production audits each used tier's restore time against that tier's RTO.",
    remediation:
        "Add RESTORE_TIME_FOR_RESOURCES_MEET_TARGET to a Backup Audit Manager framework for each tier in use, with maxRestoreTime at most the tier's RTO.",
    validateStack(resources, context) {
        if (!stackIsProduction(resources, context)) return [];
        const controls = ofType(resources, "aws:backup/framework:Framework").flatMap((f) =>
            asArray<{ name: string; inputParameters?: Array<{ name: string; value: string }>; scope?: { tags?: Record<string, string> } }>(
                f.inputs["controls"],
            ),
        );
        // A control scoped to one plan's BackupPlan tag judges that plan's tier.
        const planTiers = new Map(
            ofType(resources, "aws:backup/plan:Plan").map((p) => [
                get(p.inputs, `tags.${BACKUP_PLAN_TAG}`),
                get(p.inputs, `tags.${BACKUP_TIER_TAG}`),
            ]),
        );
        const judged = new Map<string, number>();
        for (const c of controls.filter((c) => c.name === "RESTORE_TIME_FOR_RESOURCES_MEET_TARGET")) {
            const scope = c.scope?.tags ?? {};
            const tier = scope[BACKUP_TIER_TAG] ?? planTiers.get(scope[BACKUP_PLAN_TAG]);
            const max = Number(c.inputParameters?.find((p) => p.name === "maxRestoreTime")?.value);
            if (typeof tier === "string") judged.set(tier, max);
        }
        return [...tiersInUse(resources).keys()].flatMap((tier): Judgement[] => {
            const max = judged.get(tier);
            if (max === undefined)
                return [
                    {
                        kind: "violation",
                        message: `Production must audit the ${tier} tier's restore time (RESTORE_TIME_FOR_RESOURCES_MEET_TARGET scoped to ${BACKUP_TIER_TAG}=${tier}, or to the ${BACKUP_PLAN_TAG} of a plan of that tier).`,
                    },
                ];
            return max > SEED_OBJECTIVES[tier].rtoMinutes
                ? [
                      {
                          kind: "violation",
                          message: `The ${tier} tier's restore-time target ${max} min is looser than its RTO of ${SEED_OBJECTIVES[tier].rtoMinutes} min.`,
                      },
                  ]
                : [];
        });
    },
};

export const kvNamespacesExported: StackRule = {
    name: "kv-namespaces-exported",
    area: "backup",
    description:
        "Checks whether every production KV namespace is bound to a Worker that exports it on a schedule (KV_BACKUP_BINDINGS and a cron trigger). A namespace bound as CACHE holds answers that expire within hours and are asked again on a miss, so it is not exported.",
    remediation: "Bind the namespace to a Worker that lists its binding in KV_BACKUP_BINDINGS and runs the export on a cron trigger.",
    validateStack(resources, context) {
        if (!stackIsProduction(resources, context)) return [];
        const workers = ofType(resources, ...WORKER_BINDING_TYPES);
        const scheduled = scheduledExport(resources);
        const judgements: Judgement[] = [];
        // A binding cannot be tied to its namespace before ids exist, so every KV binding of a
        // Worker that uses the namespace must be exported.
        const users = new Set<PolicyResource>();
        for (const ns of ofType(resources, "cloudflare:index/workersKvNamespace:WorkersKvNamespace")) {
            const bound = workers.filter((w) => w.dependencies.includes(ns.urn));
            if (bound.length === 0)
                judgements.push({
                    kind: "violation",
                    resource: ns,
                    message: "Production KV namespace must be bound to the Worker that exports it.",
                });
            bound.forEach((w) => users.add(w));
            if (bound.length > 0 && !scheduled)
                judgements.push({
                    kind: "violation",
                    resource: ns,
                    message: "Production KV namespace export needs a Worker cron trigger; none is declared.",
                });
        }
        for (const w of users) {
            const missing = asArray<WorkerBinding>(w.inputs["bindings"])
                .filter((b) => b.type === "kv_namespace" && kvBindingKept(w, b.name) === "not exported")
                .map((b) => b.name);
            if (missing.length > 0)
                judgements.push({
                    kind: "violation",
                    resource: w,
                    message: `Every KV namespace bound to the Worker must be exported; KV_BACKUP_BINDINGS lacks ${missing.join(", ")}.`,
                });
        }
        return judgements;
    },
};

export const kvBackupBucketLifecycleAndLock: StackRule = {
    name: "kv-backup-bucket-lifecycle-and-lock",
    area: "backup",
    description: "Checks whether the production R2 bucket that receives the KV export has a lifecycle rule and a retention lock.",
    remediation:
        "Give the production KV backup bucket a lifecycle rule that expires exports after their retention and a bucket lock over the export prefix.",
    validateStack(resources, context) {
        if (!stackIsProduction(resources, context)) return [];
        const names = new Set(
            ofType(resources, ...WORKER_BINDING_TYPES).flatMap((w) =>
                asArray<WorkerBinding>(w.inputs["bindings"])
                    .filter((b) => b.type === "r2_bucket" && b.name === "BACKUPS")
                    .map((b) => b.bucketName),
            ),
        );
        return ofType(resources, "cloudflare:index/r2Bucket:R2Bucket")
            .filter((b) => names.has(b.inputs["name"] as string))
            .flatMap((bucket): Judgement[] => {
                const lifecycle = dependentsOf(resources, bucket, "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle").some((l) =>
                    asArray(l.inputs["rules"]).some((r) => get(r, "deleteObjectsTransition") !== undefined),
                );
                const lock = dependentsOf(resources, bucket, "cloudflare:index/r2BucketLock:R2BucketLock").some((l) =>
                    asArray<{ enabled?: boolean }>(l.inputs["rules"]).some((r) => r.enabled),
                );
                const missing = [
                    lifecycle ? "" : "a lifecycle rule that deletes old exports",
                    lock ? "" : "an enabled retention lock",
                ].filter(Boolean);
                return missing.length > 0
                    ? [{ kind: "violation", resource: bucket, message: `KV backup bucket must have ${missing.join(" and ")}.` }]
                    : [];
            });
    },
};

export const BACKUP_RULES = [
    backupResourcesProtectedByPlan,
    backupPlanFrequencyAndRetention,
    backupColdStorageMinimum,
    backupVaultCustomerKey,
    backupVaultLocked,
    backupVaultDeletionDenied,
    backupCrossRegionCopy,
    backupRestoreTesting,
    backupRestoreTimeTarget,
    kvNamespacesExported,
    kvBackupBucketLifecycleAndLock,
];
