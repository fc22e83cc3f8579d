/**
 * awsguard-style harness: start from the production plan (every rule passes there), change one
 * thing, and see which findings appear.
 */
import { evaluate, type Finding, type PolicyResource, type Rule } from "../../policies/engine";
import { toPolicyResources } from "../../tools/plan/judge";
import { planOf } from "../helpers/plan";

export function productionResources(): Promise<PolicyResource[]> {
    return stackResources("production");
}

export async function stackResources(stack: string): Promise<PolicyResource[]> {
    return toPolicyResources((await planOf(stack)).resources);
}

/** A deep copy of `resources` where every resource matching `pick` went through `change`. */
export function changed(
    resources: readonly PolicyResource[],
    pick: (r: PolicyResource) => boolean,
    change: (r: PolicyResource) => void,
): PolicyResource[] {
    let hits = 0;
    const copy = structuredClone(resources) as PolicyResource[];
    for (const r of copy) {
        if (pick(r)) {
            change(r);
            hits++;
        }
    }
    if (hits === 0) throw new Error("the change matched no resource");
    return copy;
}

export function without(resources: readonly PolicyResource[], pick: (r: PolicyResource) => boolean): PolicyResource[] {
    const kept = resources.filter((r) => !pick(r));
    if (kept.length === resources.length) throw new Error("nothing removed");
    return kept;
}

export function findingsOf(
    rule: Rule,
    resources: readonly PolicyResource[],
    options: { stack?: string; secretsMarked?: boolean } = {},
): Finding[] {
    return evaluate(
        [rule],
        resources,
        { stack: options.stack ?? "production", secretsMarked: options.secretsMarked ?? true },
        { all: "mandatory" },
    );
}

export const violations = (findings: Finding[]) => findings.filter((f) => f.status === "violation").map((f) => f.message);

export const isType =
    (type: string, nameIncludes = "") =>
    (r: PolicyResource) =>
        r.type === type && r.name.includes(nameIncludes);
