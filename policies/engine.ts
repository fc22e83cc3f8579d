/**
 * The rule model shared by the CrossGuard pack (policies/index.ts), the offline plan and the
 * audit command: a rule is a plain object whose function judges plain resources, so all three
 * run the very same code.
 */

export type EnforcementLevel = "mandatory" | "advisory" | "disabled";
type RuleArea = "tagging" | "backup" | "security" | "monitoring" | "cost";

/** A resource as every caller can describe it: from the mocks, a preview or a stack export. */
export interface PolicyResource {
    urn: string;
    type: string;
    name: string;
    /** The provider's id, where the source records one (stack exports); plans have none. */
    id?: string;
    inputs: Record<string, unknown>;
    options: { protect?: boolean; retainOnDelete?: boolean };
    /** Inputs of the resource's explicit provider (default tags and region live there). */
    providerInputs?: Record<string, unknown>;
    /** URNs of the resources this one depends on: how rules link a vault lock to its vault. */
    dependencies: string[];
    /** The same dependencies by the input they flow through (`securityGroupId` -> [group URN]). */
    propertyDependencies: Record<string, string[]>;
}

export interface RuleContext {
    /** The stack being judged: dev, staging or production. */
    stack: string;
    /**
     * Whether secret values still carry their secret mark ("[secret]"). True for the plan and
     * for stack exports; false inside `pulumi preview`, where the policy SDK unwraps secrets.
     */
    secretsMarked: boolean;
}

/** What a rule says about one resource or the stack. */
export type Judgement =
    | { kind: "violation"; message: string; resource?: PolicyResource }
    | { kind: "not-evaluated"; reason: string; resource?: PolicyResource };

interface RuleBase {
    /** kebab-case, unique: the key in policy config files. */
    name: string;
    area: RuleArea;
    /** "Checks whether ..." */
    description: string;
    /** What to change when the rule fails. */
    remediation: string;
    /**
     * The rule is about whether values are secrets, so it reads the secret marks itself. Any
     * other rule that reads a secret cannot see its value: its judgement is "not evaluated".
     */
    judgesSecrets?: true;
}

export interface ResourceRule extends RuleBase {
    /** Whether the rule judges resources of this type. */
    appliesTo(type: string): boolean;
    validateResource(resource: PolicyResource, context: RuleContext): Judgement[];
}

export interface StackRule extends RuleBase {
    validateStack(resources: readonly PolicyResource[], context: RuleContext): Judgement[];
}

export type Rule = ResourceRule | StackRule;

export function isResourceRule(rule: Rule): rule is ResourceRule {
    return "validateResource" in rule;
}

export interface Finding {
    policy: string;
    area: RuleArea;
    level: Exclude<EnforcementLevel, "disabled">;
    status: "violation" | "not-evaluated";
    message: string;
    remediation: string;
    resource?: { urn: string; name: string; type: string };
}

/**
 * A rule's level where the policy config names neither it nor `all` (or there is no config): the
 * pack's own enforcementLevel (policies/index.ts), so the offline plan, the audit and
 * `pulumi preview` agree. Mandatory: a stack without a policy config is blocked, not waved through.
 */
export const DEFAULT_ENFORCEMENT_LEVEL: EnforcementLevel = "mandatory";

/** Policy config as `pulumi preview --policy-pack-config` reads it: `{ all: level, <rule>: level }`. */
export type PolicyConfig = Record<string, EnforcementLevel | { enforcementLevel: EnforcementLevel }>;

export function levelOf(rule: Rule, config: PolicyConfig): EnforcementLevel {
    const own = config[rule.name];
    if (own) return typeof own === "string" ? own : own.enforcementLevel;
    const all = config["all"];
    if (all) return typeof all === "string" ? all : all.enforcementLevel;
    return DEFAULT_ENFORCEMENT_LEVEL;
}

/** A rule could not read a resource: an input of the wrong shape (a malformed export). */
export class RuleInputError extends Error {
    constructor(
        readonly rule: string,
        readonly field: string | undefined,
        readonly reason: string,
    ) {
        super(`${field ? `${field}: ` : ""}${reason} (rule ${rule} reads it)`);
        this.name = "RuleInputError";
    }
}

/** How the plan, the audit and the pack write a value that is unknown until deploy. */
export const UNKNOWN = "[unknown]";
/** How the plan and the audit write a secret's value (a stack export's secret object). */
export const SECRET = "[secret]";

/**
 * A rule's judgement of one resource. What the rule read is recorded: if it read a value that
 * is unknown until deploy, or a secret whose value it cannot see, at any depth, it cannot know
 * the answer, so its judgement is "not evaluated" (naming those values) rather than a violation
 * or a pass that may not hold.
 */
export function judgeResource(rule: ResourceRule, resource: PolicyResource, context: RuleContext): Judgement[] {
    const reads = newReads(rule);
    const judgements = guarded(rule, reads, () => rule.validateResource(watched(resource, reads), context)).map((j) => ({
        ...j,
        resource: resource,
    }));
    return settle(judgements, reads, resource);
}

/** Everything a rule says about `resources`: each resource it applies to, or the stack. */
export function judgeRule(rule: Rule, resources: readonly PolicyResource[], context: RuleContext): Judgement[] {
    return isResourceRule(rule)
        ? resources.filter((r) => rule.appliesTo(r.type)).flatMap((r) => judgeResource(rule, r, context))
        : judgeStack(rule, resources, context);
}

/** A stack rule's judgements, with the same treatment of unknown values as judgeResource. */
export function judgeStack(rule: StackRule, resources: readonly PolicyResource[], context: RuleContext): Judgement[] {
    const reads = newReads(rule);
    const originals = new Map(resources.map((r) => [r.urn, r]));
    const judgements = guarded(rule, reads, () =>
        rule.validateStack(
            resources.map((r) => watched(r, reads)),
            context,
        ),
    ).map((j) => (j.resource ? { ...j, resource: originals.get(j.resource.urn) ?? j.resource } : j));
    return settle(judgements, reads);
}

interface Reads {
    unknowns: string[];
    /** Secrets read by a rule that does not judge secrets: their values are hidden from it. */
    secrets: string[] | undefined;
    /** The last input a rule read: where it stood when a malformed value stopped it. */
    last: string | undefined;
}

const newReads = (rule: Rule): Reads => ({ unknowns: [], secrets: rule.judgesSecrets ? undefined : [], last: undefined });

function guarded(rule: Rule, reads: Reads, judge: () => Judgement[]): Judgement[] {
    try {
        return judge();
    } catch (error) {
        throw new RuleInputError(rule.name, reads.last, error instanceof Error ? error.message : String(error));
    }
}

function settle(judgements: Judgement[], reads: Reads, resource?: PolicyResource): Judgement[] {
    const { unknowns, secrets = [] } = reads;
    if (unknowns.length === 0 && secrets.length === 0) return judgements;
    const named = (paths: string[], what: string) => (paths.length > 0 ? [`${[...new Set(paths)].sort().join(", ")} ${what}`] : []);
    const reason = [...named(unknowns, "unknown until deploy"), ...named(secrets, "held as a secret, not visible here")].join("; ");
    const resources = judgements.map((j) => j.resource).filter((r): r is PolicyResource => r !== undefined);
    if (resources.length === 0) return [{ kind: "not-evaluated", reason, ...(resource ? { resource } : {}) }];
    return [...new Map(resources.map((r) => [r.urn, r])).values()].map((r) => ({ kind: "not-evaluated" as const, reason, resource: r }));
}

/** `resource` with its inputs and provider inputs recording every unknown value a rule reads. */
function watched(resource: PolicyResource, reads: Reads): PolicyResource {
    const label = resource.name;
    return {
        ...resource,
        inputs: watch(resource.inputs, `${label}.`, reads) as Record<string, unknown>,
        providerInputs: resource.providerInputs && (watch(resource.providerInputs, `${label} provider.`, reads) as Record<string, unknown>),
    };
}

function watch(value: unknown, path: string, reads: Reads): unknown {
    if (value === null || typeof value !== "object") return value;
    return new Proxy(value, {
        get(target, key, receiver) {
            const v = Reflect.get(target, key, receiver);
            if (typeof key === "symbol" || !Object.prototype.hasOwnProperty.call(target, key)) return v;
            const at = `${path}${String(key)}`;
            reads.last = at;
            if (v === UNKNOWN) reads.unknowns.push(at);
            if (v === SECRET) reads.secrets?.push(at);
            return watch(v, `${at}.`, reads);
        },
    });
}

/** Judges every resource and the stack with every enabled rule. */
export function evaluate(
    rules: readonly Rule[],
    resources: readonly PolicyResource[],
    context: RuleContext,
    config: PolicyConfig,
): Finding[] {
    const findings: Finding[] = [];
    for (const rule of rules) {
        const level = levelOf(rule, config);
        if (level === "disabled") continue;
        const judgements = judgeRule(rule, resources, context);
        for (const j of judgements) {
            findings.push({
                policy: rule.name,
                area: rule.area,
                level,
                status: j.kind,
                message: j.kind === "violation" ? j.message : `not evaluated: ${j.reason}`,
                remediation: rule.remediation,
                ...(j.resource ? { resource: { urn: j.resource.urn, name: j.resource.name, type: j.resource.type } } : {}),
            });
        }
    }
    return findings.sort((a, b) => a.policy.localeCompare(b.policy) || (a.resource?.urn ?? "").localeCompare(b.resource?.urn ?? ""));
}

/** Findings that stop a deployment. */
export function blocking(findings: readonly Finding[]): Finding[] {
    return findings.filter((f) => f.level === "mandatory" && f.status === "violation");
}
