/**
 * The three stack files put every stack in one AWS account and one Cloudflare account, so no
 * physical name, tag selection or patch target may be shared between two stacks: one
 * environment's deploy must never touch, select or patch another's.
 */
import { input, ofType, planOf, STACKS } from "./helpers/plan";
import type { PlanResource } from "./helpers/plan";

/** Inputs that name a thing in its account; Kubernetes objects are named per cluster, each stack's own kubeconfig. */
const NAME_KEYS = ["name", "title", "bucket", "scriptName", "patchGroup"] as const;

/** Names this resource takes in its account: explicit ones, or the logical name Pulumi's autoname starts with. */
function physicalNames(r: PlanResource): string[] {
    if (r.type.startsWith("pulumi:providers:") || r.type.startsWith("kubernetes:") || r.type.startsWith("ops-platform:")) return [];
    const explicit = NAME_KEYS.map((k) => r.inputs[k]).filter((v): v is string => typeof v === "string");
    // A restore testing selection's name is unique within its plan only.
    if (r.type === "aws:backup/restoreTestingSelection:RestoreTestingSelection")
        return explicit.map((n) => `${String(r.inputs["restoreTestingPlanName"])}/${n}`);
    return explicit.length > 0 ? explicit : [r.name];
}

/** What selects, scopes or targets resources by tag: backup selections, restore tests, audit controls, patch targets. */
function tagSelections(r: PlanResource): string[] {
    const pairs = (list: unknown) =>
        ((list as Array<{ key: string; value: string }> | undefined) ?? [])
            .map((c) => `${c.key}=${c.value}`)
            .sort()
            .join("&");
    switch (r.type) {
        case "aws:backup/selection:Selection":
            return [
                ...((input(r, "conditions") as Array<{ stringEquals: unknown }>) ?? []).map((c) => pairs(c.stringEquals)),
                ...((input(r, "selectionTags") as Array<{ key: string; value: string }>) ?? []).map((t) => `${t.key}=${t.value}`),
            ];
        case "aws:backup/restoreTestingSelection:RestoreTestingSelection":
            return [pairs(input(r, "protectedResourceConditions.stringEquals"))];
        case "aws:backup/framework:Framework":
            return ((input(r, "controls") as Array<{ name: string; scope?: { tags?: Record<string, string> } }>) ?? []).map(
                (c) => `${c.name}:${JSON.stringify(c.scope?.tags ?? "whole account")}`,
            );
        case "aws:ssm/patchGroup:PatchGroup":
            return [`PatchGroup=${String(r.inputs["patchGroup"])}`];
        default:
            return [];
    }
}

it("no two stacks share a physical name, a tag selection or a patch target", async () => {
    const owners = new Map<string, string[]>();
    for (const stack of STACKS) {
        for (const r of (await planOf(stack)).resources) {
            for (const key of [
                ...physicalNames(r).map((n) => `${r.type} name ${n}`),
                ...tagSelections(r).map((s) => `${r.type} selects ${s}`),
            ]) {
                owners.set(key, [...new Set([...(owners.get(key) ?? []), stack])]);
            }
        }
    }
    const shared = [...owners].filter(([, stacks]) => stacks.length > 1).map(([key, stacks]) => `${key} (${stacks.join(", ")})`);
    expect(shared).toEqual([]);
    expect(owners.size).toBeGreaterThan(300);
});

it("selects, tests and audits backups only within the stack's environment", async () => {
    for (const stack of STACKS) {
        const { resources } = await planOf(stack);
        for (const s of ofType(resources, "aws:backup/selection:Selection", "aws:backup/restoreTestingSelection:RestoreTestingSelection"))
            expect(tagSelections(s).every((t) => t.includes(`aws:ResourceTag/Environment=${stack}`))).toBe(true);
        for (const control of tagSelections(ofType(resources, "aws:backup/framework:Framework")[0]!))
            expect(control).toMatch(new RegExp(`"(Environment":"${stack}|BackupPlan":"ops-platform-${stack}-)`));
    }
});

// AWS Backup quotas (docs.aws.amazon.com/aws-backup/latest/devguide/aws-backup-limits.html): "You can use up to 50
// controls per account per Region. Using the same control in two different frameworks counts as using two controls."
// Frameworks: at most 10 per account per Region (15 on the newer page), and "You cannot deploy duplicate frameworks
// (frameworks that contain the same controls and parameters)".
it("fits the three stacks' audit frameworks in one account and Region: at most 50 controls, no two frameworks alike", async () => {
    const frameworks = await Promise.all(
        STACKS.map(async (stack) => ({ stack, framework: oneOfFramework((await planOf(stack)).resources) })),
    );
    const byRegion = new Map<string, number>();
    for (const { framework } of frameworks) {
        const region = String(framework.region);
        byRegion.set(region, (byRegion.get(region) ?? 0) + framework.controls.length);
    }
    for (const [region, controls] of byRegion) expect([region, controls <= 50]).toEqual([region, true]);
    expect(frameworks.length).toBeLessThanOrEqual(10);
    const signatures = frameworks.map(({ framework }) => JSON.stringify(framework.controls));
    expect(new Set(signatures).size).toBe(signatures.length);
});

/** A stack's one audit framework: its controls (names, parameters, scopes) and the Region its provider deploys to. */
function oneOfFramework(resources: readonly PlanResource[]): { controls: unknown[]; region: unknown } {
    const [framework, ...others] = ofType(resources, "aws:backup/framework:Framework");
    expect(others).toEqual([]);
    const provider = resources.find((r) => r.urn === framework!.options.provider);
    return { controls: input(framework!, "controls") as unknown[], region: provider?.inputs["region"] };
}
