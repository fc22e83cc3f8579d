/**
 * The repository's guardrails on GitHub (@pulumi/github): branch protection on main with the
 * required checks and code owner reviews, and one environment per stack with its reviewers and
 * wait timer, deployable from protected branches only. The facts come from rules.ts.
 */
import * as github from "./github";
import * as pulumi from "@pulumi/pulumi";
import { REPOSITORY_URL } from "../config/repository";
import type { ParsedConfig } from "../config/schema";
import { environmentRules, requiredChecks } from "./rules";

/** `https://github.com/<owner>/<name>` -> owner and name. */
export function repositoryOf(url: string): { owner: string; name: string } {
    const match = /^https:\/\/github\.com\/([^/]+)\/([^/]+)$/.exec(url);
    if (!match) throw new Error(`package.json: repository.url ${url} is not a GitHub repository (https://github.com/<owner>/<name>)`);
    return { owner: match[1]!, name: match[2]! };
}

export function declareGuardrails(configs: Record<string, ParsedConfig>): Record<string, pulumi.Output<unknown> | unknown> {
    const { owner, name: repository } = repositoryOf(REPOSITORY_URL);
    const provider = new github.Provider("github", { owner });
    const opts = { provider };
    const contexts = requiredChecks();
    const main = new github.BranchProtection(
        "main",
        {
            repositoryId: repository,
            pattern: "main",
            enforceAdmins: true,
            requiredLinearHistory: true,
            allowsForcePushes: false,
            allowsDeletions: false,
            requireConversationResolution: true,
            requiredStatusChecks: [{ strict: true, contexts }],
            // The risk gate asks for the approvals a change's class needs; GitHub adds the code owners'.
            requiredPullRequestReviews: [
                {
                    requiredApprovingReviewCount: 0,
                    requireCodeOwnerReviews: true,
                    dismissStaleReviews: true,
                    requireLastPushApproval: true,
                },
            ],
        },
        opts,
    );
    const environments = environmentRules(configs).map((rule) => {
        const users = rule.reviewers.map((username) => github.getUserOutput({ username }, opts).id.apply(Number));
        const guarded = rule.reviewers.length > 0;
        // An environment holds its deployment secrets and history: a replacement (a new name) would drop them.
        return new github.RepositoryEnvironment(
            `environment-${rule.name}`,
            {
                repository,
                environment: rule.name,
                waitTimer: rule.waitTimerMinutes,
                ...(guarded ? { reviewers: [{ users }], preventSelfReview: true, canAdminsBypass: false } : {}),
                deploymentBranchPolicy: { protectedBranches: true, customBranchPolicies: false },
            },
            { ...opts, protect: true },
        );
    });
    return {
        repository: `${owner}/${repository}`,
        requiredChecks: contexts,
        branchProtection: main.id,
        environments: environments.map((e) => e.environment),
    };
}
