/** How risky a change is, by the source documents' Impact x Likelihood x Complexity (the README's "Change risk"). */
import { isCriticalType, isCustomerFacingType, isRoutineType } from "../../policies/lib/resourceCatalogue";
import { PROTECT_PATH, type ResourceChange } from "./diff";

export interface Risk {
    impact: number;
    likelihood: number;
    complexity: number;
    score: number;
    riskClass: "none" | "standard" | "normal" | "high-risk" | "emergency";
    reasons: string[];
}

const ENVIRONMENT_IMPACT: Record<string, number> = { dev: 1, staging: 2, production: 4 };

const label = (c: ResourceChange) => `${c.type.split(":").pop()} ${c.name}`;
const isRoutine = (c: ResourceChange) => isRoutineType(c.type) && c.kind !== "delete";
const isCritical = (c: ResourceChange) => isCriticalType(c.type) && (c.kind === "replace" || c.kind === "delete");

/** A safeguard the change switches off, if any: monitoring, backups, a lock, deletion protection, `protect`. */
function safeguardOff(c: ResourceChange): string | undefined {
    const turnedOff = (path: string) => c.changes.some((p) => p.path === path && p.before === true && p.after !== true);
    if (
        c.kind === "delete" &&
        c.type === "kubernetes:helm.sh/v3:Release" &&
        c.changes.some((p) => p.path === "chart" && p.before === "kube-prometheus-stack")
    )
        return "monitoring switched off";
    if (c.kind === "delete" && c.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule") return "alert rules removed";
    if (c.kind === "delete" && (c.type === "aws:backup/plan:Plan" || c.type === "aws:backup/selection:Selection"))
        return "backups switched off";
    if (
        c.kind === "delete" &&
        (c.type === "aws:backup/vaultLockConfiguration:VaultLockConfiguration" || c.type === "cloudflare:index/r2BucketLock:R2BucketLock")
    )
        return "a lock removed";
    if (turnedOff("enableDeletionProtection") || turnedOff("deletionProtection")) return "deletion protection switched off";
    if (turnedOff(PROTECT_PATH)) return "protect switched off";
    return undefined;
}

/** The scoring rules written down in the README ("Change risk"). */
/** The estimate before and after a change, and the share of a rise that counts toward risk (cost.riskShare). */
export interface CostChange {
    beforeUsd: number;
    afterUsd: number;
    riskShare: number;
}

export function changeRisk(stack: string, changes: readonly ResourceChange[], cost?: CostChange): Risk {
    if (changes.length === 0) return { impact: 0, likelihood: 0, complexity: 0, score: 0, riskClass: "none", reasons: ["no changes"] };
    const reasons: string[] = [];
    const weighty = changes.filter((c) => !isRoutine(c));
    const critical = changes.filter(isCritical);
    const safeguards = changes
        .map((c) => [c, safeguardOff(c)] as const)
        .filter((e): e is readonly [ResourceChange, string] => e[1] !== undefined);
    const names = (list: readonly ResourceChange[]) =>
        `${list.slice(0, 3).map(label).join(", ")}${list.length > 3 ? ` and ${list.length - 3} more` : ""}`;

    // What is added puts nothing live at risk; critical changes are named first.
    const customerFacing = [...critical, ...weighty.filter((c) => c.kind !== "add" && !isCritical(c) && isCustomerFacingType(c.type))];
    // A change that raises the stack's cost by more than its share touches the budget, as a customer-facing one touches users.
    const rise = cost && cost.beforeUsd > 0 ? (cost.afterUsd - cost.beforeUsd) / cost.beforeUsd : 0;
    const costly = cost !== undefined && rise > cost.riskShare;
    const impact = Math.min(5, (ENVIRONMENT_IMPACT[stack] ?? 3) + (customerFacing.length > 0 ? 1 : 0) + (costly ? 1 : 0));
    reasons.push(
        `impact ${impact}: ${stack}${customerFacing.length > 0 ? `; customer-facing or critical: ${names(customerFacing)}` : ""}${costly ? `; cost +$${(cost.afterUsd - cost.beforeUsd).toFixed(2)}/month (+${(rise * 100).toFixed(0)}%, over ${(cost.riskShare * 100).toFixed(0)}%)` : ""}`,
    );

    const likelihoodOf = (c: ResourceChange): number => {
        // Access that grows is what a review exists for, as AWS CDK's --require-approval broadening asks.
        if (broadens(c)) return c.kind === "replace" ? 5 : 4;
        if (isRoutine(c) || c.kind === "add") return 1;
        if (safeguardOff(c) || isCritical(c)) return 5;
        if (c.kind === "update") return c.stateful ? 3 : 2;
        return c.stateful || c.protected ? 5 : 3;
    };
    const worst = changes.reduce((a, b) => (likelihoodOf(b) > likelihoodOf(a) ? b : a));
    const likelihood = likelihoodOf(worst);
    reasons.push(
        `likelihood ${likelihood}: ${isRoutine(worst) ? "routine: " : ""}${worst.kind} of ${label(worst)}${broadens(worst) ? ` (broadens access: ${broadens(worst)})` : safeguardOff(worst) ? ` (${safeguardOff(worst)})` : isCritical(worst) ? " (critical)" : ""}`,
    );

    const components = new Set(weighty.map((c) => c.component));
    const providers = new Set(weighty.map((c) => (c.type.startsWith("pulumi:providers:") ? c.type.split(":")[2]! : c.type.split(":")[0]!)));
    const complexity = Math.min(5, Math.max(1, components.size + (providers.size > 1 ? 1 : 0) + (critical.length > 0 ? 1 : 0)));
    reasons.push(
        `complexity ${complexity}: ${components.size > 0 ? `${[...components].sort().join(", ")}` : "routine changes only"}${providers.size > 1 ? `, ${providers.size} providers` : ""}${critical.length > 0 ? ", +1 for a critical replacement" : ""}`,
    );

    const score = impact * likelihood * complexity;
    const byScore: Risk["riskClass"] = score <= 20 ? "standard" : score <= 50 ? "normal" : score <= 75 ? "high-risk" : "emergency";
    // A critical replacement or a switched-off safeguard is never routine, whatever the product says.
    const environmentFloor: Risk["riskClass"] | undefined =
        critical.length + safeguards.length === 0
            ? undefined
            : stack === "production"
              ? "high-risk"
              : stack === "staging"
                ? "normal"
                : undefined;
    // Replacing a protected resource cannot even run without unprotecting it (or breaking glass, for a vault lock).
    const protectedReplaced = changes.filter((c) => c.kind === "replace" && c.protected);
    const floors = [environmentFloor, protectedReplaced.length > 0 ? "high-risk" : undefined].filter(
        (f): f is Risk["riskClass"] => f !== undefined,
    );
    const floor = floors.sort((a, b) => RISK_ORDER.indexOf(b) - RISK_ORDER.indexOf(a))[0];
    const riskClass = floor && RISK_ORDER.indexOf(floor) > RISK_ORDER.indexOf(byScore) ? floor : byScore;
    if (riskClass !== byScore)
        reasons.push(
            `at least ${floor} in ${stack}: ${[
                ...protectedReplaced.map((c) => `replace of protected ${label(c)}`),
                ...critical.filter((c) => !protectedReplaced.includes(c)).map((c) => `${c.kind} of critical ${label(c)}`),
                ...safeguards.map(([c, what]) => `${what} (${label(c)})`),
            ]
                .slice(0, 4)
                .join("; ")}`,
        );
    return { impact, likelihood, complexity, score, riskClass, reasons };
}

export const RISK_ORDER: Array<Risk["riskClass"]> = ["none", "standard", "normal", "high-risk", "emergency"];

/** Actions and resources an IAM policy document allows, as "action resource" pairs. */
function allowed(policy: unknown): Set<string> {
    const pairs = new Set<string>();
    let doc: { Statement?: unknown } = {};
    try {
        doc = (typeof policy === "string" ? JSON.parse(policy) : policy) as { Statement?: unknown };
    } catch {
        return pairs;
    }
    const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : v === undefined ? ["*"] : [String(v)]);
    const statements = Array.isArray(doc?.Statement) ? doc.Statement : doc?.Statement ? [doc.Statement] : [];
    for (const st of statements as Array<{ Effect?: string; Action?: unknown; Resource?: unknown; Principal?: unknown }>) {
        if (st.Effect !== "Allow") continue;
        for (const action of list(st.Action))
            for (const resource of list(st.Resource ?? st.Principal))
                pairs.add(`${action} ${typeof resource === "string" ? resource : JSON.stringify(resource)}`);
    }
    return pairs;
}

const IAM_POLICY_PATHS = ["policy", "assumeRolePolicy", "inlinePolicies"];
const INGRESS_TYPES = new Set([
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:ec2/securityGroupRule:SecurityGroupRule",
    "aws:lb/listener:Listener",
]);
const TOKEN_TYPES = new Set(["cloudflare:index/apiToken:ApiToken", "cloudflare:index/accountToken:AccountToken"]);

/**
 * How a change widens access, or undefined: an IAM policy allowing an action or resource it did
 * not, ingress added or changed (a security-group ingress rule, a listener), a token given a
 * permission group it did not have.
 */
export function broadens(c: ResourceChange): string | undefined {
    if (c.kind === "delete") return undefined;
    if (c.type.startsWith("aws:iam/")) {
        if (c.kind === "add" && /rolePolicy|policy:/i.test(c.type)) return "a new IAM policy";
        for (const change of c.changes.filter((p) =>
            IAM_POLICY_PATHS.some((k) => p.path === k || p.path.startsWith(`${k}.`) || p.path.startsWith(`${k}[`)),
        )) {
            const before = allowed(change.before);
            const gained = [...allowed(change.after)].filter((pair) => !before.has(pair));
            if (gained.length > 0)
                return `IAM allows ${gained.slice(0, 2).join(", ")}${gained.length > 2 ? ` and ${gained.length - 2} more` : ""}`;
        }
        return undefined;
    }
    if (INGRESS_TYPES.has(c.type))
        return c.kind === "add"
            ? "new ingress"
            : c.changes.some((p) => /cidr|port|protocol|prefixList|referencedSecurityGroup/i.test(p.path))
              ? "ingress changed"
              : undefined;
    if (TOKEN_TYPES.has(c.type)) {
        if (c.kind === "add") return "a new API token";
        // Permission groups are 32-hex ids wherever the diff names them (the whole list, a policy, one id).
        const groups = (v: unknown) => new Set(JSON.stringify(v ?? "").match(/[0-9a-f]{32}/g) ?? []);
        for (const change of c.changes.filter((p) => p.path.startsWith("policies"))) {
            const before = groups(change.before);
            if ([...groups(change.after)].some((g) => !before.has(g))) return "a token gains a permission group";
        }
    }
    return undefined;
}
