/**
 * Runs stacks or single components under Pulumi's mocks and returns what they registered.
 * Results are cached per test file: the program runs once per stack, however many tests read it.
 */
import type * as pulumi from "@pulumi/pulumi";
import { captureProgram, type PlannedResource } from "../../tools/plan/capture";
import type { LiveCloudflare } from "../../tools/plan/mocks";
import { runStack, type StackRun } from "../../tools/plan/run";

let queue: Promise<unknown> = Promise.resolve();
/** The Pulumi runtime is global, so runs in one process take turns. */
function serially<T>(work: () => Promise<T>): Promise<T> {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
}

const stacks = new Map<string, Promise<StackRun>>();

/** The whole program for a stack of this repository (or of `dir`), run once per test file. */
export function planOf(stack: string, dir?: string): Promise<StackRun> {
    const key = `${dir ?? ""}:${stack}`;
    if (!stacks.has(key)) stacks.set(key, serially(() => runStack(stack, { dir })));
    return stacks.get(key)!;
}

/** Runs `build` (which constructs a component) under mocks as `stack`, with `live` as what Cloudflare reports deployed. */
export function captureComponent(stack: string, build: () => Record<string, pulumi.Input<unknown>> | void, live?: LiveCloudflare): Promise<PlannedResource[]> {
    return serially(async () => (await captureProgram("ops-platform", stack, () => build() ?? {}, live)).resources);
}

export function ofType(resources: readonly PlannedResource[], ...types: string[]): PlannedResource[] {
    return resources.filter((r) => types.includes(r.type));
}

export function oneOfType(resources: readonly PlannedResource[], type: string, nameIncludes = ""): PlannedResource {
    const found = resources.filter((r) => r.type === type && r.name.includes(nameIncludes));
    if (found.length !== 1) throw new Error(`expected one ${type}${nameIncludes ? ` named *${nameIncludes}*` : ""}, found ${found.length}`);
    return found[0]!;
}

/** Reads a nested input by dotted path: `get(r, "metadataOptions.httpTokens")`. */
export function input(resource: PlannedResource, path: string): unknown {
    return path.split(".").reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), resource.inputs);
}

export const STACKS = ["dev", "staging", "production"] as const;
