import {
    backupColdStorageMinimum,
    backupCrossRegionCopy,
    backupPlanFrequencyAndRetention,
    backupResourcesProtectedByPlan,
    backupRestoreTesting,
    backupRestoreTimeTarget,
    backupVaultCustomerKey,
    backupVaultDeletionDenied,
    backupVaultLocked,
    kvBackupBucketLifecycleAndLock,
    kvNamespacesExported,
} from "../../policies/rules/backup";
import type { PolicyResource } from "../../policies/engine";
import { changed, findingsOf, isType, productionResources, stackResources, violations, without } from "./harness";

type Rule = {
    ruleName: string;
    schedule: string;
    enableContinuousBackup: boolean;
    lifecycle: { deleteAfter: number; coldStorageAfter?: number };
    copyActions: Array<{ destinationVaultArn: string; lifecycle: { deleteAfter: number } }>;
    recoveryPointTags: Record<string, string>;
};
const rulesOf = (r: PolicyResource) => r.inputs["rules"] as Rule[];
const PLAN = "aws:backup/plan:Plan";

const ALL = [
    backupResourcesProtectedByPlan,
    backupPlanFrequencyAndRetention,
    backupColdStorageMinimum,
    backupVaultCustomerKey,
    backupVaultLocked,
    backupVaultDeletionDenied,
    backupCrossRegionCopy,
    backupRestoreTesting,
    backupRestoreTimeTarget,
    kvNamespacesExported,
    kvBackupBucketLifecycleAndLock,
];

it.each(ALL.map((r) => [r.name, r] as const))("%s passes on every stack of this repository", async (_, rule) => {
    for (const stack of ["dev", "staging", "production"]) expect(findingsOf(rule, await stackResources(stack), { stack })).toEqual([]);
});

it("backup-resources-protected-by-plan fails a resource whose tier no selection matches", async () => {
    const resources = without(await productionResources(), isType("aws:backup/selection:Selection", "high"));
    expect(violations(findingsOf(backupResourcesProtectedByPlan, resources))).toEqual(
        expect.arrayContaining(["Backup-capable resource must be selected by a backup plan; no selection matches BackupTier=high, high."]),
    );
});

it("backup-resources-protected-by-plan fails a standalone volume the selections leave out (NotResources), whatever its tags", async () => {
    const resources = await productionResources();
    const volume: PolicyResource = {
        urn: "urn:pulumi:production::ops-platform::aws:ebs/volume:Volume::data",
        type: "aws:ebs/volume:Volume",
        name: "data",
        inputs: { tags: { BackupTier: "high", Environment: "production" } },
        options: {},
        dependencies: [],
        propertyDependencies: {},
    };
    expect(violations(findingsOf(backupResourcesProtectedByPlan, [...resources, volume]))).toEqual([
        "Backup-capable resource must be selected by a backup plan; no selection matches BackupTier=high.",
    ]);
});

describe("backup-plan-frequency-and-retention", () => {
    it("fails an hourly schedule for the critical tier without continuous backup", async () => {
        const resources = changed(await productionResources(), isType(PLAN, "critical"), (p) => {
            rulesOf(p)[0]!.enableContinuousBackup = false;
        });
        expect(violations(findingsOf(backupPlanFrequencyAndRetention, resources))).toEqual([
            "Backup rule critical-continuous of plan ops-platform-production-critical must meet its tier: it runs every 1 h, longer than the critical RPO of 15 min.",
        ]);
    });

    it("fails a retention below the tier's minimum", async () => {
        const resources = changed(await productionResources(), isType(PLAN, "medium"), (p) => {
            rulesOf(p)[0]!.lifecycle.deleteAfter = 14;
        });
        expect(violations(findingsOf(backupPlanFrequencyAndRetention, resources))).toEqual([
            "Backup rule medium-scheduled of plan ops-platform-production-medium must meet its tier: it keeps points 14 days, below the medium minimum of 30.",
        ]);
    });

    it("fails a GFS rule shorter than the GFS figure", async () => {
        const resources = changed(await productionResources(), isType(PLAN, "critical"), (p) => {
            rulesOf(p)[4]!.lifecycle.deleteAfter = 365;
        });
        expect(violations(findingsOf(backupPlanFrequencyAndRetention, resources))).toEqual([
            "GFS rule critical-gfs-yearly must keep points at least 2555 days, keeps 365.",
        ]);
    });

    it("takes an untagged rule's tier from its plan's selection, and fails it only when no selection names one", async () => {
        const untagged = changed(await productionResources(), isType(PLAN, "medium"), (p) => {
            delete rulesOf(p)[0]!.recoveryPointTags["BackupTier"];
        });
        expect(violations(findingsOf(backupPlanFrequencyAndRetention, untagged))).toEqual([]);
        const unselected = without(untagged, isType("aws:backup/selection:Selection", "medium"));
        expect(violations(findingsOf(backupPlanFrequencyAndRetention, unselected))).toEqual([
            "Backup rule medium-scheduled of plan ops-platform-production-medium has no tier: tag its recovery points with BackupTier (one of critical, high, medium, low) or select the plan's resources by it.",
        ]);
    });
});

it("backup-cold-storage-90-days fails cold storage deleted before 90 days", async () => {
    const resources = changed(await productionResources(), isType(PLAN, "medium"), (p) => {
        rulesOf(p)[0]!.lifecycle.coldStorageAfter = 7;
    });
    expect(violations(findingsOf(backupColdStorageMinimum, resources))).toEqual([
        "Backup lifecycle of medium-scheduled must keep cold points 90 days: cold after 7, deleted after 30.",
    ]);
});

it("backup-vault-customer-key fails the AWS-managed key and waits on an unknown one", async () => {
    const managed = changed(await productionResources(), isType("aws:backup/vault:Vault", "-dr"), (v) => {
        v.inputs["kmsKeyArn"] = "arn:aws:kms:us-west-2:123456789012:alias/aws/backup";
    });
    expect(violations(findingsOf(backupVaultCustomerKey, managed))).toEqual([
        "Backup vault must be encrypted with a customer-managed KMS key, not the AWS-managed one.",
    ]);
    const unknown = changed(await productionResources(), isType("aws:backup/vault:Vault", "-dr"), (v) => {
        v.inputs["kmsKeyArn"] = "[unknown]";
    });
    expect(findingsOf(backupVaultCustomerKey, unknown).map((f) => f.status)).toEqual(["not-evaluated"]);
});

describe("backup-vault-locked", () => {
    it("fails a production vault without a lock", async () => {
        const resources = without(await productionResources(), isType("aws:backup/vaultLockConfiguration:VaultLockConfiguration", "-dr"));
        expect(violations(findingsOf(backupVaultLocked, resources))).toEqual([
            "Production backup vault must be locked (aws.backup.VaultLockConfiguration).",
        ]);
    });

    it("fails a rule whose retention lies outside the lock", async () => {
        const resources = changed(await productionResources(), isType("aws:backup/vaultLockConfiguration:VaultLockConfiguration"), (l) => {
            l.inputs["minRetentionDays"] = 14;
        });
        // Each finding is the plan's, whose retention must change: the lock cannot be loosened.
        expect(
            findingsOf(backupVaultLocked, resources)
                .filter((f) => f.status === "violation")
                .map((f) => [f.resource?.name, f.message]),
        ).toEqual([
            [
                "ops-platform-production-backup-critical",
                "Retention written to vault ops-platform-production must lie inside its lock's 14..2555 days: rule critical-gfs-daily of plan ops-platform-production-critical keeps 7.",
            ],
            [
                "ops-platform-production-backup-critical",
                "Retention written to vault ops-platform-production-dr must lie inside its lock's 14..2555 days: copies of rule critical-gfs-daily of plan ops-platform-production-critical keeps 7.",
            ],
            [
                "ops-platform-production-backup-high",
                "Retention written to vault ops-platform-production must lie inside its lock's 14..2555 days: rule high-scheduled of plan ops-platform-production-high keeps 7.",
            ],
            [
                "ops-platform-production-backup-high",
                "Retention written to vault ops-platform-production-dr must lie inside its lock's 14..2555 days: copies of rule high-scheduled of plan ops-platform-production-high keeps 7.",
            ],
        ]);
    });
});

it("backup-vault-deletion-denied fails a vault policy that allows deleting recovery points", async () => {
    const resources = changed(await productionResources(), isType("aws:backup/vaultPolicy:VaultPolicy", "-dr"), (p) => {
        p.inputs["policy"] = JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: "*", Action: "backup:DescribeBackupVault", Resource: "*" }],
        });
    });
    expect(violations(findingsOf(backupVaultDeletionDenied, resources))).toEqual([
        "Production backup vault must deny backup:DeleteRecoveryPoint in its access policy.",
    ]);
});

describe("backup-cross-region-copy", () => {
    it("fails a production rule without an offsite copy", async () => {
        const resources = changed(await productionResources(), isType(PLAN, "low"), (p) => {
            rulesOf(p)[0]!.copyActions = [];
        });
        expect(violations(findingsOf(backupCrossRegionCopy, resources))).toEqual([
            "Production backup rule low-scheduled must copy to a vault in another region.",
        ]);
    });

    it("fails a copy kept shorter than its source", async () => {
        const resources = changed(await productionResources(), isType(PLAN, "low"), (p) => {
            rulesOf(p)[0]!.copyActions[0]!.lifecycle.deleteAfter = 7;
        });
        expect(violations(findingsOf(backupCrossRegionCopy, resources))).toEqual([
            "Copies of low-scheduled must be kept at least 14 days like the source.",
        ]);
    });
});

it("backup-restore-testing fails production without a restore test of a tier in use", async () => {
    const resources = without(await productionResources(), isType("aws:backup/restoreTestingSelection:RestoreTestingSelection", "high"));
    expect(violations(findingsOf(backupRestoreTesting, resources))).toEqual([
        "Production must test restores of the high tier: no restore testing selection matches BackupTier=high.",
    ]);
});

it("backup-restore-time-target fails production without a restore-time control for a tier in use", async () => {
    const resources = changed(await productionResources(), isType("aws:backup/framework:Framework"), (f) => {
        f.inputs["controls"] = (f.inputs["controls"] as Array<{ name: string }>).filter(
            (c) => c.name !== "RESTORE_TIME_FOR_RESOURCES_MEET_TARGET",
        );
    });
    expect(violations(findingsOf(backupRestoreTimeTarget, resources))).toEqual([
        "Production must audit the high tier's restore time (RESTORE_TIME_FOR_RESOURCES_MEET_TARGET scoped to BackupTier=high, or to the BackupPlan of a plan of that tier).",
    ]);
});

describe("kv-namespaces-exported", () => {
    it("fails a namespace the Worker does not list in KV_BACKUP_BINDINGS", async () => {
        const resources = changed(await productionResources(), isType("cloudflare:index/workerVersion:WorkerVersion"), (v) => {
            const binding = (v.inputs["bindings"] as Array<{ name: string; text?: string }>).find((b) => b.name === "KV_BACKUP_BINDINGS")!;
            binding.text = "CACHE";
        });
        expect(violations(findingsOf(kvNamespacesExported, resources))).toEqual([
            "Every KV namespace bound to the Worker must be exported; KV_BACKUP_BINDINGS lacks STATE.",
        ]);
    });

    it("passes production as declared: STATE exported, CACHE (answers that expire in hours) not", async () => {
        const resources = await productionResources();
        const version = resources.find(isType("cloudflare:index/workerVersion:WorkerVersion"))!;
        expect(
            (version.inputs["bindings"] as Array<{ name: string; text?: string }>).find((b) => b.name === "KV_BACKUP_BINDINGS")!.text,
        ).toBe("STATE");
        expect(violations(findingsOf(kvNamespacesExported, resources))).toEqual([]);
    });

    it("fails when no cron trigger runs the export", async () => {
        const resources = without(await productionResources(), isType("cloudflare:index/workersCronTrigger:WorkersCronTrigger"));
        expect(violations(findingsOf(kvNamespacesExported, resources))).toHaveLength(2);
    });
});

it("kv-backup-bucket-lifecycle-and-lock fails the backup bucket without its lock", async () => {
    const resources = without(await productionResources(), isType("cloudflare:index/r2BucketLock:R2BucketLock"));
    expect(violations(findingsOf(kvBackupBucketLifecycleAndLock, resources))).toEqual([
        "KV backup bucket must have an enabled retention lock.",
    ]);
});
