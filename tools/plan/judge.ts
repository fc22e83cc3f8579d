/** Runs the policy pack's rules over captured resources, with the stack's policy config. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { evaluate, type Finding, type PolicyConfig, type PolicyResource } from "../../policies/engine";
import { ALL_RULES } from "../../policies/rules";
import { ROOT } from "./stackFile";

export interface JudgeableResource {
    urn: string;
    type: string;
    name: string;
    id?: string;
    inputs: Record<string, unknown>;
    options: {
        protect?: boolean;
        retainOnDelete?: boolean;
        provider?: string;
        dependsOn?: string[];
        propertyDependencies?: Record<string, string[]>;
    };
}

/** The policy config file a stack uses (`--policy-pack-config policies/config/<stack>.json`). */
export function policyConfigFor(stack: string): PolicyConfig {
    const path = join(ROOT, "policies", "config", `${stack}.json`);
    // Without a file every rule takes the pack's default level, as under `pulumi preview`.
    return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as PolicyConfig) : {};
}

export function toPolicyResources(resources: readonly JudgeableResource[]): PolicyResource[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    return resources.map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        ...(r.id ? { id: r.id } : {}),
        inputs: r.inputs,
        options: { protect: r.options.protect, retainOnDelete: r.options.retainOnDelete },
        providerInputs: r.options.provider ? byUrn.get(r.options.provider)?.inputs : undefined,
        dependencies: r.options.dependsOn ?? [],
        propertyDependencies: r.options.propertyDependencies ?? {},
    }));
}

export function judge(stack: string, resources: readonly JudgeableResource[], config = policyConfigFor(stack)): Finding[] {
    return evaluate(ALL_RULES, toPolicyResources(resources), { stack, secretsMarked: true }, config);
}
