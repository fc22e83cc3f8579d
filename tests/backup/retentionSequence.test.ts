/**
 * The tenth `up` of the backups: what a retention change and a lock change do to the vault
 * locks that already exist. Every lock argument forces the lock's replacement
 * (terraform-provider-aws vault_lock_configuration.go), which `protect`, the vault policy and a
 * compliance lock past its grace period refuse; so a retention change must never touch a lock,
 * and a lock change must read as what it is.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import type { PlanDocument } from "../../tools/plan/document";
import { planDiff } from "../../tools/plan/diff";
import { changeRisk } from "../../tools/plan/risk";
import { ROOT, runToolAsync, type CommandResult } from "../helpers/cli";
import { problemsOf, withKey } from "../helpers/config";
import { scratchDir } from "../helpers/scratch";

const LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration";
const baseline = JSON.parse(readFileSync(join(ROOT, "plans", "production.json"), "utf8")) as PlanDocument;

/** The production plan with `backup` merged into the stack file's backup section. */
async function planWithBackup(backup: Record<string, unknown>): Promise<{ result: CommandResult; doc?: PlanDocument }> {
    const dir = scratchDir("retention");
    const file = parse(readFileSync(join(ROOT, "Pulumi.production.yaml"), "utf8")) as { config: Record<string, unknown> };
    file.config["ops-platform:backup"] = { ...(file.config["ops-platform:backup"] as object), ...backup };
    writeFileSync(join(dir, "Pulumi.production.yaml"), stringify(file));
    const result = await runToolAsync("plan", ["production", "--config-dir", dir, "--json", join(dir, "plan.json")]);
    return { result, doc: result.status === 0 ? (JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")) as PlanDocument) : undefined };
}

const runs = {
    retention: planWithBackup({ gfs: { monthlyDays: 730 } }),
    lock: planWithBackup({ lockBounds: { maxRetentionDays: 3650 } }),
};

it("a retention change inside the lock's bounds updates the plans and leaves both compliance locks alone", async () => {
    const { result, doc } = await runs.retention;
    expect([result.status, result.stderr]).toEqual([0, ""]);
    const { changes } = planDiff(baseline, doc!);
    expect(changes.filter((c) => c.type === LOCK)).toEqual([]);
    expect([...new Set(changes.map((c) => `${c.kind} ${c.type}`))]).toEqual(["update aws:backup/plan:Plan"]);
    expect(changes.flatMap((c) => c.changes.map((p) => [p.path, p.after]))).toEqual([
        ["rules[critical-gfs-monthly].copyActions[0].lifecycle.deleteAfter", 730],
        ["rules[critical-gfs-monthly].lifecycle.deleteAfter", 730],
    ]);
});

it("a retention the lock would refuse is a config error that names the break-glass procedure, before anything is planned", () => {
    expect(problemsOf(withKey("production", "backup", { gfs: { yearlyDays: 3650 } }, true))).toEqual([
        'production: ops-platform:backup.gfs.yearlyDays: 3650 days lies outside the vault lock\'s 7..2555 (backup.lockBounds), so AWS would fail every job it runs. Keep it inside; moving the bounds replaces the compliance lock, which protect, the vault policy and an expired grace period refuse: that is the break-glass procedure (README, "Vault lock")',
    ]);
});

it("moving the lock's bounds replaces both protected locks, and is scored high-risk whatever the product", async () => {
    const { result, doc } = await runs.lock;
    expect(result.status).toBe(0);
    const { changes } = planDiff(baseline, doc!);
    const locks = changes.filter((c) => c.type === LOCK);
    expect(locks.map((c) => [c.kind, c.name, c.replaceKeys, c.protected])).toEqual([
        ["replace", "ops-platform-production-backup", ["maxRetentionDays"], true],
        ["replace", "ops-platform-production-backup-dr", ["maxRetentionDays"], true],
    ]);
    const risk = changeRisk("production", changes);
    expect(risk.riskClass).toBe("high-risk");
    expect(risk.reasons.at(-1)).toMatch(/^at least high-risk in production: replace of protected VaultLockConfiguration/);
});
