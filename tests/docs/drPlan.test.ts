/** The DR plan states the backup matrix's objectives, not its own (one fact in one place). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BACKUP_TIERS, SEED_OBJECTIVES, formatMinutes } from "../../policies/lib/backupMatrix";
import { REPO_ROOT } from "../../config/repoRoot";

it("states each tier's RPO and RTO as the backup matrix does", () => {
    const plan = readFileSync(join(REPO_ROOT, "docs", "dr-plan.md"), "utf8");
    for (const tier of BACKUP_TIERS) {
        const { rpoMinutes, rtoMinutes } = SEED_OBJECTIVES[tier];
        expect(plan).toContain(`| ${tier} | ${formatMinutes(rpoMinutes)} | ${formatMinutes(rtoMinutes)} |`);
    }
});
