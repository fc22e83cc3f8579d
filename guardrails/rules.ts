/**
 * What the repository's guardrails are, as data read from where each fact already lives: the
 * required checks are pr.yml's jobs, the environments' reviewers and wait timers each stack's
 * changeControl, the code owners production's reviewers. guardrails.ts declares them on GitHub;
 * .github/CODEOWNERS is codeOwners() committed (tests/guardrails keeps it current).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { ParsedConfig } from "../config/schema";
import { REPO_ROOT } from "../config/repoRoot";

/** The pull request jobs a merge waits for: the tests, the offline plan with the policy pack, the risk gate. */
export const REQUIRED_JOBS = ["test", "offline-plan", "risk-gate"] as const;

/**
 * The status check contexts of those jobs: a GitHub Actions job reports under its `name:` (its
 * id when it has none). A required job missing from pr.yml is an error, not a check that never reports.
 */
export function requiredChecks(prWorkflow: string = readFileSync(join(REPO_ROOT, ".github", "workflows", "pr.yml"), "utf8")): string[] {
    const jobs = (parse(prWorkflow) as { jobs?: Record<string, { name?: string; strategy?: unknown }> }).jobs ?? {};
    return REQUIRED_JOBS.map((id) => {
        const job = jobs[id];
        if (!job) throw new Error(`.github/workflows/pr.yml: no job ${id}; the branch protection requires it`);
        // A matrix job reports one check per combination, under names no list here could keep current.
        if (job.strategy) throw new Error(`.github/workflows/pr.yml: job ${id} has a matrix; a required check needs one name`);
        return job.name ?? id;
    });
}

export interface EnvironmentRule {
    /** The GitHub environment: the stack's name, as deploy-stack.yml's `environment: ${{ inputs.stack }}`. */
    name: string;
    reviewers: string[];
    waitTimerMinutes: number;
}

export function environmentRules(configs: Record<string, ParsedConfig>): EnvironmentRule[] {
    return Object.entries(configs).map(([stack, c]) => ({
        name: stack,
        reviewers: c.changeControl.reviewers,
        waitTimerMinutes: c.changeControl.waitTimerMinutes,
    }));
}

/** Paths whose changes need their owners' review: the policy pack, the production stack file, and these guardrails. */
export const OWNED_PATHS = ["/policies/", "/Pulumi.production.yaml", "/guardrails/", "/.github/CODEOWNERS"] as const;

/** .github/CODEOWNERS: production's reviewers own what decides production's safety. */
export function codeOwners(owners: readonly string[]): string {
    if (owners.length === 0)
        throw new Error("Pulumi.production.yaml: changeControl.reviewers is empty; the code owners are production's reviewers");
    const handles = owners.map((o) => `@${o}`).join(" ");
    return [
        "# Generated from Pulumi.production.yaml's changeControl.reviewers (guardrails/rules.ts); tests/guardrails checks it is current.",
        "# Branch protection on main requires these owners' review (guardrails/guardrails.ts).",
        ...OWNED_PATHS.map((path) => `${path} ${handles}`),
        "",
    ].join("\n");
}
