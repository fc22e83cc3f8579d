/** Tagging: every AWS resource says whose it is, and every stateful one which backup tier it is in. */
import taggableTypes from "../data/aws-taggable-types.json";
import { BACKUP_TIERS, BACKUP_TIER_TAG } from "../lib/backupMatrix";
import { STACK_NAMES } from "../lib/environments";
import { LABEL_FOR_TAG, MANAGED_BY, REQUIRED_TAG_KEYS } from "../lib/tagKeys";
import type { Judgement, ResourceRule } from "../engine";
import { asArray, get, isUnknown } from "../lib/resources";
import { STATEFUL_TIER_TAGS } from "../lib/resourceCatalogue";
import { effectiveTags } from "../lib/tags";

const TAGGABLE = new Set<string>(taggableTypes.types);

function tagProblems(tags: Record<string, string>): string[] {
    const problems: string[] = [];
    for (const key of REQUIRED_TAG_KEYS) if (!tags[key] || !tags[key]!.trim()) problems.push(`missing ${key}`);
    if (tags["Environment"] && !(STACK_NAMES as readonly string[]).includes(tags["Environment"]))
        problems.push(`Environment "${tags["Environment"]}" is not one of ${STACK_NAMES.join(", ")}`);
    if (tags["ManagedBy"] && tags["ManagedBy"] !== MANAGED_BY)
        problems.push(`ManagedBy is "${tags["ManagedBy"]}", expected "${MANAGED_BY}"`);
    return problems;
}

export const awsRequiredTags: ResourceRule = {
    name: "aws-required-tags",
    area: "tagging",
    description:
        "Checks whether every taggable AWS resource carries Environment, Service, Owner, CostCenter and ManagedBy, with allowed values.",
    remediation: "Create AWS resources through a provider whose defaultTags carry the required tags, or tag the resource itself.",
    appliesTo: (type) => TAGGABLE.has(type),
    validateResource(r) {
        if (isUnknown(r.inputs["tags"])) return [{ kind: "not-evaluated", reason: "tags are unknown until deploy" }];
        const problems = tagProblems(effectiveTags(r.type, r.inputs, r.providerInputs));
        return problems.length > 0
            ? [{ kind: "violation", message: `AWS resource must carry the required tags: ${problems.join("; ")}.` }]
            : [];
    },
};

const LABELLED_EXEMPT = new Set(["kubernetes:helm.sh/v3:Release", "pulumi:providers:kubernetes"]);

export const kubernetesRequiredLabels: ResourceRule = {
    name: "kubernetes-required-labels",
    area: "tagging",
    description: "Checks whether every Kubernetes object carries the labels that match the required tags.",
    remediation: "Label the object with the required labels (the Kubernetes form of the required tags).",
    appliesTo: (type) => type.startsWith("kubernetes:") && !LABELLED_EXEMPT.has(type),
    validateResource(r) {
        const labels = get(r.inputs, "metadata.labels");
        if (isUnknown(labels)) return [{ kind: "not-evaluated", reason: "labels are unknown until deploy" }];
        const missing = Object.values(LABEL_FOR_TAG).filter((l) => !(labels as Record<string, string> | undefined)?.[l]);
        return missing.length > 0 ? [{ kind: "violation", message: `Kubernetes object must carry the labels ${missing.join(", ")}.` }] : [];
    },
};

export const statefulBackupTier: ResourceRule = {
    name: "stateful-backup-tier",
    area: "tagging",
    description:
        "Checks whether every stateful resource (instances and their volumes, EBS, RDS, DynamoDB, EFS) carries a valid BackupTier tag.",
    remediation: `Tag the resource (for launch templates: both tagSpecifications) with ${BACKUP_TIER_TAG} = one of ${BACKUP_TIERS.join(", ")}.`,
    appliesTo: (type) => type in STATEFUL_TIER_TAGS,
    validateResource(r): Judgement[] {
        const sets = STATEFUL_TIER_TAGS[r.type]!(r.inputs);
        if (sets.length === 0)
            return [
                { kind: "violation", message: "Stateful resource must tag what it launches: no instance or volume tag specification." },
            ];
        const bad = sets.map((t) => t[BACKUP_TIER_TAG]).filter((tier) => !tier || !(BACKUP_TIERS as readonly string[]).includes(tier));
        return bad.length > 0
            ? [
                  {
                      kind: "violation",
                      message: `Stateful resource must carry ${BACKUP_TIER_TAG} with one of ${BACKUP_TIERS.join(", ")}; found ${bad.map((b) => JSON.stringify(b ?? null)).join(", ")}.`,
                  },
              ]
            : [];
    },
};

export const TAGGING_RULES = [awsRequiredTags, kubernetesRequiredLabels, statefulBackupTier];
