import { createHash } from "node:crypto";
import { LABEL_FOR_TAG, MANAGED_BY, REQUIRED_TAG_KEYS } from "../policies/lib/tagKeys";

export { ENVIRONMENT_TAG, REQUIRED_TAG_KEYS } from "../policies/lib/tagKeys";

/**
 * Required tags, Kubernetes labels and the naming scheme for a stack's config: applied by the
 * Platform (AWS provider default tags, Kubernetes labels); the keys are the policy pack's
 * (policies/lib/tagKeys.ts), which checks them.
 */

export interface TagContext {
    environment: string;
    service: string;
    owner: string;
    costCenter: string;
}

export function requiredTags(ctx: TagContext): Record<(typeof REQUIRED_TAG_KEYS)[number], string> {
    return {
        Environment: ctx.environment,
        Service: ctx.service,
        Owner: ctx.owner,
        CostCenter: ctx.costCenter,
        ManagedBy: MANAGED_BY,
    };
}

export function requiredLabels(ctx: TagContext): Record<string, string> {
    const tags = requiredTags(ctx);
    return Object.fromEntries(Object.entries(LABEL_FOR_TAG).map(([tag, label]) => [label, toLabelValue(tags[tag as keyof typeof tags])]));
}

/** Label values allow [A-Za-z0-9-_.] and at most 63 characters. */
function toLabelValue(value: string): string {
    return value
        .replace(/[^A-Za-z0-9._-]/g, "-")
        .slice(0, 63)
        .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
}

/**
 * `name` cut to at most `max` characters, unique and stable: a longer name starts with a digest
 * of the whole and keeps its end, where names that share a prefix differ (region, role).
 */
export function boundedName(name: string, max: number): string {
    if (name.length <= max) return name;
    return `${createHash("sha256").update(name).digest("hex").slice(0, 8)}-${name.slice(name.length - (max - 9)).replace(/^-+/, "")}`;
}

/**
 * Physical name for resources that cannot carry tags (Cloudflare objects, IAM-less names):
 * `<service>-<environment>-<parts>`, lowercase, so the environment is visible in any console.
 */
export function physicalName(ctx: Pick<TagContext, "service" | "environment">, ...parts: string[]): string {
    return [ctx.service, ctx.environment, ...parts]
        .join("-")
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/-+/g, "-");
}
