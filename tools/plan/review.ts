/**
 * Plan review, from plan documents only: what changed against a baseline, how risky that is
 * (the source documents' Impact x Likelihood x Complexity), and what backups cover.
 */
import { BACKUP_TIER_TAG, SEED_OBJECTIVES, formatMinutes, type BackupTier } from "../../policies/lib/backupMatrix";
import { selectionMatches } from "../../policies/lib/resources";
import { STATEFUL_TIER_TAGS } from "../../policies/rules/tagging";
import { STATEFUL_TYPES } from "../../policies/rules/security";
import type { PlanDocument } from "./document";
import { FORCE_NEW } from "./forceNew";

type Resource = PlanDocument["resources"][number];

export interface PropertyChange {
    path: string;
    before: unknown;
    after: unknown;
}

export interface ResourceChange {
    urn: string;
    type: string;
    name: string;
    kind: "add" | "delete" | "replace" | "update";
    /** Input changes; for a replace, `replaceKeys` says which of them force it. */
    changes: PropertyChange[];
    replaceKeys: string[];
    stateful: boolean;
    protected: boolean;
    /** The Platform's child this resource belongs to (network, fleet, backup, edge, monitoring). */
    component: string;
    /** Replaced resources whose new id or outputs flow into this one's inputs: why it changes although its code did not. */
    causedBy?: string[];
}

/** How a removed `protect` option shows among a resource's changes. */
export const PROTECT_PATH = "(protect)";

/** For types the table does not know (an audit of another program's export): a changed name replaces. */
const NAME_KEYS = ["name", "bucket", "title", "metadata.name", "metadata.namespace"];
/** Immutable resources: any input change is a new resource. */
const IMMUTABLE = new Set(["cloudflare:index/workerVersion:WorkerVersion"]);
/** What customers reach: a change here touches live traffic. */
const CUSTOMER_FACING = /^(aws:lb\/|aws:autoscaling\/|aws:ec2\/launchTemplate|cloudflare:index\/(loadBalancer|worker|workers(Route|Deployment|CustomDomain)))/;

function flatten(value: unknown, prefix = "", out: Record<string, unknown> = {}): Record<string, unknown> {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        const entries = Object.entries(value as Record<string, unknown>);
        if (entries.length === 0 && prefix) out[prefix] = {};
        for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    } else if (Array.isArray(value) && value.length > 0 && value.some((v) => v !== null && typeof v === "object")) {
        value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
    } else if (prefix) out[prefix] = value;
    return out;
}

/** A value as a reviewer reads it: JSON, and "unset" where there is none. */
export function shown(value: unknown): string {
    return value === undefined ? "unset" : JSON.stringify(value);
}

function jsonDocument(value: unknown): unknown {
    if (typeof value !== "string" || !/^\s*[[{]/.test(value)) return undefined;
    try {
        return JSON.parse(value) as unknown;
    } catch {
        return undefined;
    }
}

/**
 * Property changes as a reviewer reads them: a JSON document held in a string (an IAM, vault or
 * bucket policy) by the keys that changed inside it, not as two long strings.
 */
export function readableChanges(changes: readonly PropertyChange[]): PropertyChange[] {
    return changes.flatMap((c) => {
        const before = jsonDocument(c.before);
        const after = jsonDocument(c.after);
        if (before === undefined || after === undefined) return [c];
        const inner = propertyChanges({ $: before }, { $: after });
        return inner.length === 0 ? [c] : inner.map((p) => ({ path: `${c.path} ${p.path.replace(/^\$\.?/, "")}`, before: p.before, after: p.after }));
    });
}

export function propertyChanges(before: Record<string, unknown>, after: Record<string, unknown>): PropertyChange[] {
    const a = flatten(before);
    const b = flatten(after);
    return [...new Set([...Object.keys(a), ...Object.keys(b)])]
        .sort()
        .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
        .map((path) => ({ path, before: a[path], after: b[path] }));
}

export function replaceKeysOf(type: string, changes: PropertyChange[]): string[] {
    if (IMMUTABLE.has(type)) return changes.map((c) => c.path);
    const keys = FORCE_NEW[type]?.keys ?? NAME_KEYS;
    // `conditions[0].stringEquals[1].key` is under the force-new `conditions.stringEquals`.
    const forced = (path: string) => {
        const p = path.replace(/\[\d+\]/g, "");
        return keys.some((k) => p === k || p.startsWith(`${k}.`));
    };
    return changes.map((c) => c.path).filter(forced);
}

/** Launch templates and autoscaling groups carry tiers for what they launch but hold no data themselves. */
const LAUNCHERS = new Set(["aws:ec2/launchTemplate:LaunchTemplate", "aws:autoscaling/group:Group"]);

export function isStateful(type: string): boolean {
    return STATEFUL_TYPES.includes(type) || (type in STATEFUL_TIER_TAGS && !LAUNCHERS.has(type));
}

/** The areas componentOf names: the Platform's children, and the providers beside them. */
export const PLATFORM_AREAS = ["backup", "edge", "fleet", "monitoring", "network", "providers"] as const;

/** The Platform child a resource sits under, by walking its parents. */
export function componentOf(resource: Resource, byUrn: Map<string, Resource>): string {
    let current: Resource | undefined = resource;
    while (current?.parent) {
        const parent = byUrn.get(current.parent);
        if (!parent) break;
        if (parent.type === "ops-platform:index:Platform") return current.type.startsWith("ops-platform:") ? current.type.split(":")[1]! : "providers";
        current = parent;
    }
    return current?.type.startsWith("ops-platform:") ? current.type.split(":")[1]! : "stack";
}

export function diffPlans(baseline: PlanDocument, current: PlanDocument): ResourceChange[] {
    const before = new Map(baseline.resources.map((r) => [r.urn, r]));
    const after = new Map(current.resources.map((r) => [r.urn, r]));
    const changes: ResourceChange[] = [];
    const describe = (r: Resource, byUrn: Map<string, Resource>, kind: ResourceChange["kind"], props: PropertyChange[], replaceKeys: string[]): ResourceChange => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        kind,
        changes: props,
        replaceKeys,
        stateful: isStateful(r.type),
        protected: Boolean(r.options.protect),
        component: componentOf(r, byUrn),
    });
    for (const [urn, r] of after) {
        const old = before.get(urn);
        if (!old) {
            changes.push(describe(r, after, "add", propertyChanges({}, r.inputs), []));
            continue;
        }
        const props = [...propertyChanges(old.inputs, r.inputs), ...(old.options.protect && !r.options.protect ? [{ path: PROTECT_PATH, before: true, after: false }] : [])];
        if (props.length === 0) continue;
        const replaceKeys = replaceKeysOf(r.type, props);
        changes.push(describe(r, after, replaceKeys.length > 0 ? "replace" : "update", props, replaceKeys));
    }
    for (const [urn, r] of before) if (!after.has(urn)) changes.push(describe(r, before, "delete", propertyChanges(r.inputs, {}), []));
    cascadeReplacements(changes, after, describe);
    return changes.sort((a, b) => a.urn.localeCompare(b.urn));
}

/**
 * A replaced resource gets a new id (and new outputs), so every input that takes one of them
 * changes as well, although the mocks gave it the same value: the dependent is updated, or
 * replaced where that input forces a new resource, and so on down the chain. Which input takes
 * what is the capture's property dependencies.
 */
function cascadeReplacements(changes: ResourceChange[], after: Map<string, Resource>, describe: (r: Resource, byUrn: Map<string, Resource>, kind: ResourceChange["kind"], props: PropertyChange[], replaceKeys: string[]) => ResourceChange): void {
    const byUrn = new Map(changes.map((c) => [c.urn, c]));
    const replaced = changes.filter((c) => c.kind === "replace").map((c) => c.urn);
    for (let i = 0; i < replaced.length; i++) {
        const source = replaced[i]!;
        for (const r of after.values()) {
            const keys = Object.entries(r.options.propertyDependencies ?? {}).filter(([, urns]) => urns.includes(source)).map(([key]) => key);
            if (keys.length === 0) continue;
            const existing = byUrn.get(r.urn);
            if (existing?.kind === "add" || existing?.kind === "delete") continue;
            const cascaded = keys.filter((k) => !existing?.changes.some((c) => c.path === k || c.path.startsWith(`${k}.`) || c.path.startsWith(`${k}[`)));
            const props = [...(existing?.changes ?? []), ...cascaded.map((k) => ({ path: k, before: r.inputs[k], after: `(new, from the replaced ${after.get(source)?.name ?? source})` }))];
            const replaceKeys = [...new Set([...(existing?.replaceKeys ?? []), ...replaceKeysOf(r.type, cascaded.map((path) => ({ path, before: undefined, after: undefined })))])];
            const change = { ...describe(r, after, replaceKeys.length > 0 ? "replace" : "update", props, replaceKeys), causedBy: [...new Set([...(existing?.causedBy ?? []), source])] };
            if (existing) changes.splice(changes.indexOf(existing), 1, change);
            else changes.push(change);
            byUrn.set(r.urn, change);
            if (change.kind === "replace" && existing?.kind !== "replace" && !replaced.includes(r.urn)) replaced.push(r.urn);
        }
    }
}

export interface Risk {
    impact: number;
    likelihood: number;
    complexity: number;
    score: number;
    riskClass: "none" | "standard" | "normal" | "high-risk" | "emergency";
    reasons: string[];
}

const ENVIRONMENT_IMPACT: Record<string, number> = { dev: 1, staging: 2, production: 4 };

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
/** What replacing or deleting takes traffic or data with it: networks, vaults, keys, buckets, KV namespaces, load balancers. */
const CRITICAL = /^(aws:ec2\/(vpc|subnet|natGateway|internetGateway):|aws:backup\/vault:|aws:kms\/key:|aws:s3\/bucket(V2)?:|aws:lb\/loadBalancer:|cloudflare:index\/(r2Bucket|workersKvNamespace|loadBalancer|loadBalancerPool):)/;

const label = (c: ResourceChange) => `${c.type.split(":").pop()} ${c.name}`;
const isRoutine = (c: ResourceChange) => ROUTINE_TYPES.has(c.type) && c.kind !== "delete";
const isCritical = (c: ResourceChange) => CRITICAL.test(c.type) && (c.kind === "replace" || c.kind === "delete");

/** A safeguard the change switches off, if any: monitoring, backups, a lock, deletion protection, `protect`. */
export function safeguardOff(c: ResourceChange): string | undefined {
    const turnedOff = (path: string) => c.changes.some((p) => p.path === path && p.before === true && p.after !== true);
    if (c.kind === "delete" && c.type === "kubernetes:helm.sh/v3:Release" && c.changes.some((p) => p.path === "chart" && p.before === "kube-prometheus-stack")) return "monitoring switched off";
    if (c.kind === "delete" && c.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule") return "alert rules removed";
    if (c.kind === "delete" && (c.type === "aws:backup/plan:Plan" || c.type === "aws:backup/selection:Selection")) return "backups switched off";
    if (c.kind === "delete" && (c.type === "aws:backup/vaultLockConfiguration:VaultLockConfiguration" || c.type === "cloudflare:index/r2BucketLock:R2BucketLock")) return "a lock removed";
    if (turnedOff("enableDeletionProtection") || turnedOff("deletionProtection")) return "deletion protection switched off";
    if (turnedOff(PROTECT_PATH)) return "protect switched off";
    return undefined;
}

/** The scoring rules written down in the README ("Change risk"). */
export function changeRisk(stack: string, changes: readonly ResourceChange[]): Risk {
    if (changes.length === 0) return { impact: 0, likelihood: 0, complexity: 0, score: 0, riskClass: "none", reasons: ["no changes"] };
    const reasons: string[] = [];
    const weighty = changes.filter((c) => !isRoutine(c));
    const critical = changes.filter(isCritical);
    const safeguards = changes.map((c) => [c, safeguardOff(c)] as const).filter((e): e is readonly [ResourceChange, string] => e[1] !== undefined);
    const names = (list: readonly ResourceChange[]) => `${list.slice(0, 3).map(label).join(", ")}${list.length > 3 ? ` and ${list.length - 3} more` : ""}`;

    // What is added puts nothing live at risk; critical changes are named first.
    const customerFacing = [...critical, ...weighty.filter((c) => c.kind !== "add" && !isCritical(c) && CUSTOMER_FACING.test(c.type))];
    const impact = Math.min(5, (ENVIRONMENT_IMPACT[stack] ?? 3) + (customerFacing.length > 0 ? 1 : 0));
    reasons.push(`impact ${impact}: ${stack}${customerFacing.length > 0 ? `; customer-facing or critical: ${names(customerFacing)}` : ""}`);

    const likelihoodOf = (c: ResourceChange): number => {
        if (isRoutine(c) || c.kind === "add") return 1;
        if (safeguardOff(c) || isCritical(c)) return 5;
        if (c.kind === "update") return c.stateful ? 3 : 2;
        return c.stateful || c.protected ? 5 : 3;
    };
    const worst = changes.reduce((a, b) => (likelihoodOf(b) > likelihoodOf(a) ? b : a));
    const likelihood = likelihoodOf(worst);
    reasons.push(`likelihood ${likelihood}: ${isRoutine(worst) ? "routine: " : ""}${worst.kind} of ${label(worst)}${safeguardOff(worst) ? ` (${safeguardOff(worst)})` : isCritical(worst) ? " (critical)" : ""}`);

    const components = new Set(weighty.map((c) => c.component));
    const providers = new Set(weighty.map((c) => (c.type.startsWith("pulumi:providers:") ? c.type.split(":")[2]! : c.type.split(":")[0]!)));
    const complexity = Math.min(5, Math.max(1, components.size + (providers.size > 1 ? 1 : 0) + (critical.length > 0 ? 1 : 0)));
    reasons.push(`complexity ${complexity}: ${components.size > 0 ? `${[...components].sort().join(", ")}` : "routine changes only"}${providers.size > 1 ? `, ${providers.size} providers` : ""}${critical.length > 0 ? ", +1 for a critical replacement" : ""}`);

    const score = impact * likelihood * complexity;
    const byScore: Risk["riskClass"] = score <= 20 ? "standard" : score <= 50 ? "normal" : score <= 75 ? "high-risk" : "emergency";
    // A critical replacement or a switched-off safeguard is never routine, whatever the product says.
    const floor: Risk["riskClass"] | undefined = critical.length + safeguards.length === 0 ? undefined : stack === "production" ? "high-risk" : stack === "staging" ? "normal" : undefined;
    const riskClass = floor && RISK_ORDER.indexOf(floor) > RISK_ORDER.indexOf(byScore) ? floor : byScore;
    if (riskClass !== byScore) reasons.push(`at least ${floor} in ${stack}: ${[...critical.map((c) => `${c.kind} of critical ${label(c)}`), ...safeguards.map(([c, what]) => `${what} (${label(c)})`)].slice(0, 4).join("; ")}`);
    return { impact, likelihood, complexity, score, riskClass, reasons };
}

const RISK_ORDER: Array<Risk["riskClass"]> = ["none", "standard", "normal", "high-risk", "emergency"];

export interface CoverageRow {
    urn: string;
    name: string;
    type: string;
    tier?: string;
    rpo?: string;
    rto?: string;
    /** The plan (or export) that covers it; undefined when nothing does. */
    coveredBy?: string;
}

/** Every backup-capable resource -> tier -> RPO/RTO -> the plan that selects it. */
export function backupCoverage(doc: PlanDocument): CoverageRow[] {
    const byUrn = new Map(doc.resources.map((r) => [r.urn, r]));
    const selections = doc.resources.filter((r) => r.type === "aws:backup/selection:Selection");
    const planSelecting = (tags: Record<string, string>) => {
        const selection = selections.find((s) => selectionMatches(s.inputs, tags));
        const plan = selection?.parent ? byUrn.get(selection.parent) : undefined;
        return selection && String(plan?.inputs["name"] ?? plan?.name ?? selection.name);
    };
    const rows: CoverageRow[] = [];
    for (const r of doc.resources) {
        const tagSets = STATEFUL_TIER_TAGS[r.type]?.(r.inputs);
        if (tagSets) {
            const byTier = new Map(tagSets.map((tags) => [tags[BACKUP_TIER_TAG], tags]));
            for (const [tier, tags] of byTier) {
                const objective = tier ? SEED_OBJECTIVES[tier as BackupTier] : undefined;
                rows.push({ urn: r.urn, name: r.name, type: r.type, tier, rpo: objective && formatMinutes(objective.rpoMinutes), rto: objective && formatMinutes(objective.rtoMinutes), coveredBy: planSelecting(tags) });
            }
        }
        if (r.type === "cloudflare:index/workersKvNamespace:WorkersKvNamespace") {
            const exported = doc.resources.some((w) => w.type === "cloudflare:index/workersCronTrigger:WorkersCronTrigger") && doc.resources.some((w) => w.type === "cloudflare:index/workerVersion:WorkerVersion" && (w.options.dependsOn ?? []).includes(r.urn));
            rows.push({ urn: r.urn, name: r.name, type: r.type, rpo: "1 d", coveredBy: exported ? "Worker cron export to R2" : undefined });
        }
    }
    return rows;
}
