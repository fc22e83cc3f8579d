/**
 * Writes .github/CODEOWNERS from Pulumi.production.yaml's changeControl.reviewers
 * (guardrails/rules.ts codeOwners): production's reviewers own the policy pack, the production
 * stack file and the guardrails. `npm test` fails when it is stale.
 *
 * Usage: node tools/bin/run.cjs generateCodeOwners [--check]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../config/repoRoot";
import { codeOwners } from "../guardrails/rules";
import { stackConfig } from "./plan/stackFile";

const OUTPUT = join(REPO_ROOT, ".github", "CODEOWNERS");

if (require.main === module) {
    const content = codeOwners(stackConfig("production").changeControl.reviewers);
    if (process.argv.includes("--check")) {
        if (readFileSync(OUTPUT, "utf8") !== content) {
            process.stderr.write(`${OUTPUT} is stale; run: node tools/bin/run.cjs generateCodeOwners\n`);
            process.exit(1);
        }
    } else writeFileSync(OUTPUT, content);
}
