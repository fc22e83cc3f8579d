/**
 * The plan of each stack of this repository, as `npm run plan -- <stack> --json` writes it:
 * tests/globalSetup.ts runs each program once for the whole suite, and every test that only
 * reads a plan reads that document. No Pulumi SDK is loaded here.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ParsedConfig } from "../../config/schema";
import { validateConfig } from "../../config/load";
import type { PlanDocument } from "../../tools/plan/document";
import type { CommandResult } from "./cli";
import { rawOf } from "./config";

export const STACKS = ["dev", "staging", "production"] as const;
export const PLANS_DIR_ENV = "OPS_PLATFORM_TEST_PLANS";

export type PlanResource = PlanDocument["resources"][number];

export interface StackPlan extends PlanDocument {
    /** The stack's validated config (secrets are not needed to read a plan). */
    config: ParsedConfig;
}

/** Where tests/globalSetup.ts leaves a stack's plan document (`--json`) and what its run printed. */
export function planRunFiles(dir: string, stack: string): { document: string; run: string } {
    return { document: join(dir, `${stack}.json`), run: join(dir, `${stack}.run.json`) };
}

function suitePlanFiles(stack: string): { document: string; run: string } {
    const dir = process.env[PLANS_DIR_ENV];
    if (!dir) throw new Error(`${PLANS_DIR_ENV} is unset: run the tests through jest, whose globalSetup plans every stack`);
    return planRunFiles(dir, stack);
}

const plans = new Map<string, StackPlan>();

/** The plan of a stack, produced once per suite by tests/globalSetup.ts. */
export async function planOf(stack: string): Promise<StackPlan> {
    if (!plans.has(stack)) {
        const doc = JSON.parse(readFileSync(suitePlanFiles(stack).document, "utf8")) as PlanDocument;
        plans.set(stack, { ...doc, config: validateConfig(rawOf(stack)) });
    }
    return plans.get(stack)!;
}

/** What `npm run plan -- <stack> --json <the plan document>` printed and its exit status, in the suite's one run. */
export function planRunOf(stack: string): CommandResult & { document: string } {
    const files = suitePlanFiles(stack);
    return { ...(JSON.parse(readFileSync(files.run, "utf8")) as CommandResult), document: files.document };
}

export function ofType<R extends { type: string }>(resources: readonly R[], ...types: string[]): R[] {
    return resources.filter((r) => types.includes(r.type));
}

export function oneOfType<R extends { type: string; name: string }>(resources: readonly R[], type: string, nameIncludes = ""): R {
    const found = resources.filter((r) => r.type === type && r.name.includes(nameIncludes));
    if (found.length !== 1) throw new Error(`expected one ${type}${nameIncludes ? ` named *${nameIncludes}*` : ""}, found ${found.length}`);
    return found[0]!;
}

/** Reads a nested input by dotted path: `input(r, "metadataOptions.httpTokens")`. */
export function input(resource: { inputs: Record<string, unknown> }, path: string): unknown {
    return path
        .split(".")
        .reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), resource.inputs);
}
