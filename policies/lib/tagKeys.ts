/**
 * The tagging scheme the rules check and the program applies (config/tagging.ts builds the
 * values from a stack's config). Kept in the pack so that `pulumi policy publish`, which
 * uploads this directory only, has everything the rules need.
 */

/** Tag keys every taggable AWS resource must carry. */
export const REQUIRED_TAG_KEYS = ["Environment", "Service", "Owner", "CostCenter", "ManagedBy"] as const;
export type RequiredTagKey = (typeof REQUIRED_TAG_KEYS)[number];
export const MANAGED_BY = "pulumi";
/** The required tag that names the environment: what keeps stacks sharing an account apart. */
export const ENVIRONMENT_TAG = "Environment";

/** The Kubernetes label that carries each required tag. */
export const LABEL_FOR_TAG: Record<RequiredTagKey, string> = {
    Environment: "ops-platform/environment",
    Service: "app.kubernetes.io/part-of",
    Owner: "ops-platform/owner",
    CostCenter: "ops-platform/cost-center",
    ManagedBy: "app.kubernetes.io/managed-by",
};
