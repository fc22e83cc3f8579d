import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BACKUP_RETENTION_TAG, BACKUP_TIER_TAG, type BackupTier } from "../../config/backupMatrix";
import type { RuleSpec } from "./planRules";

export interface BackupPlanArgs {
    /** Physical name of the plan and its selection. Required. */
    planName: string;
    /** The tier this plan backs up: its recovery points are tagged with it and it selects resources tagged with it. Required. */
    tier: BackupTier;
    /** The plan's rules (see planRules.ts). Required, at least one. */
    rules: RuleSpec[];
    /** Vault the rules write to. Required. */
    vaultName: pulumi.Input<string>;
    /** Vaults (other regions or accounts) every rule copies to. Optional. Defaults to none. */
    copyDestinationArns?: pulumi.Input<string>[];
    /** Role AWS Backup assumes for the selection. Required. */
    serviceRoleArn: pulumi.Input<string>;
    /** Backup windows in minutes. Required. */
    windows: { startMinutes: number; completionMinutes: number };
}

/** One tier's AWS Backup plan and the selection of resources carrying its BackupTier tag. */
export class BackupPlan extends pulumi.ComponentResource {
    readonly id: pulumi.Output<string>;

    constructor(name: string, args: BackupPlanArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:backup:BackupPlan", name, {}, opts);
        if (args.rules.length === 0) throw new Error(`${name}: a backup plan needs at least one rule`);
        const plan = new aws.backup.Plan(
            name,
            {
                name: args.planName,
                rules: args.rules.map((rule) => {
                    const lifecycle = { deleteAfter: rule.deleteAfterDays, ...(rule.coldStorageAfterDays ? { coldStorageAfter: rule.coldStorageAfterDays } : {}) };
                    return {
                        ruleName: rule.ruleName,
                        targetVaultName: args.vaultName,
                        schedule: rule.schedule,
                        scheduleExpressionTimezone: "Etc/UTC",
                        startWindow: args.windows.startMinutes,
                        completionWindow: args.windows.completionMinutes,
                        enableContinuousBackup: rule.continuous,
                        lifecycle,
                        recoveryPointTags: { [BACKUP_TIER_TAG]: args.tier, ...(rule.gfsPeriod ? { [BACKUP_RETENTION_TAG]: `gfs-${rule.gfsPeriod}` } : {}) },
                        // Copies keep the source's lifecycle: at least as long as the original.
                        copyActions: (args.copyDestinationArns ?? []).map((destinationVaultArn) => ({ destinationVaultArn, lifecycle })),
                    };
                }),
            },
            { parent: this },
        );
        new aws.backup.Selection(name, { name: args.planName, planId: plan.id, iamRoleArn: args.serviceRoleArn, selectionTags: [{ type: "STRINGEQUALS", key: BACKUP_TIER_TAG, value: args.tier }] }, { parent: plan });
        this.id = plan.id;
        this.registerOutputs({ id: this.id });
    }
}
