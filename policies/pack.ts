/**
 * Adapts the plain rules to CrossGuard. Kept apart from index.ts, which constructs the pack
 * (and with it starts the analyzer server), so tests can import the adapters.
 */
import type { PolicyResource as PackResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { isResourceRule, judgeResource, judgeRule, judgeStack, type PolicyResource, type Rule, type RuleContext } from "./engine";
import { UNKNOWN, stackOfUrn } from "./lib/resources";

/** How the policy SDK's proxies expose their target (sdk/proxy.ts, internal there). */
const isSpecialProxy = "__isSpecialProxy";
const getSpecialProxyTarget = "__getSpecialProxyTarget";

/** The policy SDK's markers for values unknown during preview (sdk/proxy.ts). */
const UNKNOWN_SENTINELS = new Set([
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    "030794c1-ac77-496b-92df-f27374a8bd58",
    "e48ece36-62e2-4504-bad9-02848725956a",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
]);

/** Plain data with unknowns written as "[unknown]", as the plan and the audit write them. */
function canonical(value: unknown): unknown {
    const target =
        value !== null && typeof value === "object" && (value as Record<PropertyKey, unknown>)[isSpecialProxy]
            ? (value as Record<PropertyKey, unknown>)[getSpecialProxyTarget]
            : value;
    if (typeof target === "string" && UNKNOWN_SENTINELS.has(target)) return UNKNOWN;
    if (Array.isArray(target)) return target.map(canonical);
    if (target !== null && typeof target === "object") return Object.fromEntries(Object.entries(target).map(([k, v]) => [k, canonical(v)]));
    return target;
}

/** Under CrossGuard secrets arrive unwrapped, so rules must not expect "[secret]" marks. */
function contextFor(urn: string): RuleContext {
    return { stack: stackOfUrn(urn) ?? "", secretsMarked: false };
}

function fromPack(r: {
    type: string;
    urn: string;
    name: string;
    props: Record<string, unknown>;
    opts: { protect?: boolean };
    provider?: { props: Record<string, unknown> };
    dependencies?: PackResource[];
    propertyDependencies?: Record<string, PackResource[]>;
}): PolicyResource {
    return {
        type: r.type,
        urn: r.urn,
        name: r.name,
        inputs: canonical(r.props) as Record<string, unknown>,
        // The analyzer protocol's options carry protect but not retainOnDelete.
        options: { protect: r.opts?.protect },
        providerInputs: r.provider ? (canonical(r.provider.props) as Record<string, unknown>) : undefined,
        dependencies: (r.dependencies ?? []).map((d) => d.urn),
        propertyDependencies: Object.fromEntries(
            Object.entries(r.propertyDependencies ?? {}).map(([k, deps]) => [k, deps.map((d) => d.urn)]),
        ),
    };
}

/**
 * A CrossGuard policy for a rule: its violations. What it cannot judge (a value unknown until
 * deploy, a secret mark CrossGuard hides) is reported by NOT_EVALUATED_POLICY instead.
 */
export function toPackPolicy(rule: Rule): ResourceValidationPolicy | StackValidationPolicy {
    const base = { name: rule.name, description: `${rule.description} Fix: ${rule.remediation}` };
    if (isResourceRule(rule)) {
        return {
            ...base,
            validateResource: (args, report) => {
                if (!rule.appliesTo(args.type)) return;
                for (const j of judgeResource(rule, fromPack(args), contextFor(args.urn))) if (j.kind === "violation") report(j.message);
            },
        };
    }
    return {
        ...base,
        validateStack: (args, report) => {
            const resources = args.resources.map(fromPack);
            for (const j of judgeStack(rule, resources, contextFor(resources[0]?.urn ?? "")))
                if (j.kind === "violation") report(j.message, j.resource?.urn);
        },
    };
}

/** The name of the advisory policy that lists what the other rules could not judge. */
export const NOT_EVALUATED_POLICY = "rules-not-evaluated";

/**
 * Policy results are pass or violation only, so a rule that cannot judge a resource would pass
 * in silence (pulumi/pulumi-policy#258). This advisory policy names each such case, with the
 * rule and the reason, so a preview shows what was not checked. Keep it advisory in every
 * policy config: it reports, it never blocks.
 */
export function notEvaluatedPolicy(rules: readonly Rule[]): StackValidationPolicy {
    return {
        name: NOT_EVALUATED_POLICY,
        description:
            "Lists, for every rule of this pack, the resources it could not judge (values unknown until deploy, secret marks CrossGuard hides) and why. Fix: nothing to fix; `pulumi up` judges unknown values once they are known, and npm run audit judges secret marks from a stack export.",
        enforcementLevel: "advisory",
        validateStack: (args, report) => {
            const resources = args.resources.map(fromPack);
            const context = contextFor(resources[0]?.urn ?? "");
            for (const rule of rules) {
                for (const j of judgeRule(rule, resources, context))
                    if (j.kind === "not-evaluated") report(`${rule.name}: not evaluated: ${j.reason}`, j.resource?.urn);
            }
        },
    };
}
