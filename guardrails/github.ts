/**
 * The GitHub resources the guardrails use, imported one by one, as components/pagerduty.ts
 * does: the type-check reads only these. At runtime the index still loads, so the package
 * registers as before.
 */
require("@pulumi/github");
export { Provider } from "@pulumi/github/provider";
export { BranchProtection } from "@pulumi/github/branchProtection";
export { RepositoryEnvironment } from "@pulumi/github/repositoryEnvironment";
export { getUserOutput } from "@pulumi/github/getUser";
