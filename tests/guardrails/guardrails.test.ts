/**
 * The repository's guardrails program (guardrails/) under Pulumi's mocks: branch protection on
 * main requiring pr.yml's checks and the code owners' review, an environment per stack with
 * its reviewers and wait timer from changeControl; CODEOWNERS as committed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { declareGuardrails, repositoryOf } from "../../guardrails/guardrails";
import { OWNED_PATHS, codeOwners, requiredChecks } from "../../guardrails/rules";
import { captureProgram, type PlannedResource } from "../../tools/plan/capture";
import { everyStackConfig } from "../../tools/plan/stackFile";
import { ROOT } from "../helpers/cli";
import { problemsOf, withKey } from "../helpers/config";

const configs = everyStackConfig();
let resources: PlannedResource[];
beforeAll(async () => {
    ({ resources } = await captureProgram("ops-platform-guardrails", "github", () => declareGuardrails(configs)));
});
const ofType = (type: string) => resources.filter((r) => r.type === type);

it("protects main: pr.yml's tests, offline plan and risk gate required and up to date, code owners' review, no force pushes", () => {
    const [main] = ofType("github:index/branchProtection:BranchProtection");
    expect(main!.inputs).toMatchObject({
        repositoryId: "ops-platform",
        pattern: "main",
        enforceAdmins: true,
        allowsForcePushes: false,
        allowsDeletions: false,
        requiredStatusChecks: [{ strict: true, contexts: ["tests", "offline plan", "risk gate"] }],
        requiredPullRequestReviews: [expect.objectContaining({ requireCodeOwnerReviews: true, dismissStaleReviews: true })],
    });
    const [provider] = ofType("pulumi:providers:github");
    expect(provider!.inputs["owner"]).toBe(repositoryOf("https://github.com/example-org/ops-platform").owner);
    expect(main!.options.provider).toBe(provider!.urn);
});

it("declares each stack's environment with its reviewers (GitHub's numeric ids) and wait timer, protected branches only, protected", () => {
    const environments: Record<string, PlannedResource> = Object.fromEntries(
        ofType("github:index/repositoryEnvironment:RepositoryEnvironment").map((e) => [String(e.inputs["environment"]), e]),
    );
    expect(Object.keys(environments).sort()).toEqual(["dev", "production", "staging"]);
    const production = environments["production"]!;
    expect(production.inputs).toMatchObject({
        repository: "ops-platform",
        waitTimer: configs["production"]!.changeControl.waitTimerMinutes,
        preventSelfReview: true,
        canAdminsBypass: false,
        deploymentBranchPolicy: { protectedBranches: true, customBranchPolicies: false },
    });
    const users = (production.inputs["reviewers"] as Array<{ users: unknown[] }>)[0]!.users;
    expect(users).toHaveLength(configs["production"]!.changeControl.reviewers.length);
    for (const id of users) expect(Number.isInteger(id as number)).toBe(true);
    expect(environments["dev"]!.inputs["reviewers"]).toBeUndefined();
    expect(environments["dev"]!.inputs["waitTimer"]).toBe(0);
    // A replaced environment would lose its secrets and deployment history.
    for (const e of Object.values(environments)) expect(e.options.protect).toBe(true);
});

it("names the deploy workflow's environments: deploy-stack.yml deploys to the environment named after its stack", () => {
    expect(readFileSync(join(ROOT, ".github", "workflows", "deploy-stack.yml"), "utf8")).toContain("environment: ${{ inputs.stack }}");
});

it("refuses a required job pr.yml does not have, or one whose matrix gives it several names", () => {
    expect(() => requiredChecks("jobs:\n  test:\n    name: tests\n")).toThrow("no job offline-plan");
    expect(() =>
        requiredChecks("jobs:\n  test: {}\n  offline-plan:\n    strategy:\n      matrix:\n        stack: [dev]\n  risk-gate: {}\n"),
    ).toThrow("job offline-plan has a matrix");
});

it("keeps .github/CODEOWNERS as production's reviewers owning the policy pack, the production stack file and the guardrails", () => {
    const committed = readFileSync(join(ROOT, ".github", "CODEOWNERS"), "utf8");
    expect(committed).toBe(codeOwners(configs["production"]!.changeControl.reviewers));
    for (const path of ["/policies/", "/Pulumi.production.yaml"]) expect(OWNED_PATHS).toContain(path);
    expect(committed).toMatch(/^\/policies\/ @platform-lead @sre-lead$/m);
});

it("takes at most six reviewers per environment, as GitHub does", () => {
    const seven = ["a", "b", "c", "d", "e", "f", "g"];
    expect(problemsOf(withKey("production", "changeControl", { reviewers: seven }, true))).toEqual([
        expect.stringContaining("GitHub takes at most 6 required reviewers per environment"),
    ]);
});
