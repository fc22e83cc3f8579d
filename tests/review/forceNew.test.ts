/**
 * The force-new table (tools/plan/forceNew.ts, read from the providers' schemas) covers every
 * resource type the program declares, and the diff honours it type by type: changing an input
 * the provider replaces on is a replace, changing another input is an update.
 */
import { FORCE_NEW } from "../../tools/plan/forceNew";
import type { PlanDocument } from "../../tools/plan/document";
import { planDiff } from "../../tools/plan/diff";
import { planOf, STACKS, type PlanResource } from "../helpers/plan";

/** Cloudflare's versions are immutable: any change is a new version. */
const IMMUTABLE = "cloudflare:index/workerVersion:WorkerVersion";

async function resourcesByType(): Promise<Map<string, PlanResource>> {
    const byType = new Map<string, PlanResource>();
    for (const stack of STACKS)
        for (const r of (await planOf(stack)).resources)
            if (!r.type.startsWith("ops-platform:") && !byType.has(r.type)) byType.set(r.type, r);
    return byType;
}

const kindAfter = (r: PlanResource, key: string) => {
    const doc = (resources: PlanResource[]): PlanDocument => ({ stack: "production", resources, outputs: {}, findings: [] });
    const changed = { ...r, inputs: { ...r.inputs, [key]: "changed-in-test" } };
    return planDiff(doc([r]), doc([changed])).changes[0]?.kind;
};

it("has a sourced entry for every resource type the stacks declare", async () => {
    const missing = [...(await resourcesByType()).keys()].filter((t) => !FORCE_NEW[t]?.source);
    expect(missing).toEqual([]);
});

describe("the diff follows the table", () => {
    // One table row per type: the inputs the program sets that force a replacement, and one that does not.
    it.each(Object.keys(FORCE_NEW).filter((t) => !t.startsWith("pulumi:providers:")))("%s", async (type) => {
        const r = (await resourcesByType()).get(type)!;
        const keys = FORCE_NEW[type]!.keys;
        const set = Object.keys(r.inputs);
        const forced = set.filter((k) => keys.some((f) => f === k || f.startsWith(`${k}.`)));
        for (const key of forced) expect([key, kindAfter(r, key)]).toEqual([key, "replace"]);
        // An input under ignoreChanges is never updated (tests/review/review.test.ts shows it listed as ignored).
        const free = set.find((k) => !forced.includes(k) && !r.options.ignoreChanges?.includes(k));
        if (free) expect([free, kindAfter(r, free)]).toEqual([free, type === IMMUTABLE ? "replace" : "update"]);
        expect(forced.length + (free ? 1 : 0)).toBeGreaterThan(0);
    });
});
