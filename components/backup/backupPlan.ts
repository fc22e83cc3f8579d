import * as aws from "../aws";
import * as pulumi from "@pulumi/pulumi";
import { BACKUP_PLAN_TAG, BACKUP_RETENTION_TAG, BACKUP_TIER_TAG, type BackupTier } from "../../policies/lib/backupMatrix";
import type { RuleSpec } from "./planRules";

export interface BackupPlanArgs {
    /** Physical name of the plan and its selection. Required. */
    planName: string;
    /** The tier this plan backs up: the plan and its recovery points are tagged with it. Required. */
    tier: BackupTier;
    /** Tags a resource must carry, all of them, to be selected (e.g. its BackupTier and Environment). Required, at least one. */
    selectTags: Record<string, string>;
    /** Tags recovery points carry besides the tier. Optional. */
    recoveryPointTags?: Record<string, string>;
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

/**
 * One tier's AWS Backup plan, tagged with its tier and its own name (what audit controls scope
 * on), and the selection of resources carrying every one of `selectTags`.
 */
export class BackupPlan extends pulumi.ComponentResource {
    readonly id: pulumi.Output<string>;

    constructor(name: string, args: BackupPlanArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:backup:BackupPlan", name, {}, opts);
        if (args.rules.length === 0) throw new Error(`${name}: a backup plan needs at least one rule`);
        if (Object.keys(args.selectTags).length === 0) throw new Error(`${name}: a backup selection needs at least one tag`);
        const plan = new aws.backup.Plan(
            name,
            {
                name: args.planName,
                rules: args.rules.map((rule) => {
                    const lifecycle = {
                        deleteAfter: rule.deleteAfterDays,
                        ...(rule.coldStorageAfterDays ? { coldStorageAfter: rule.coldStorageAfterDays } : {}),
                    };
                    return {
                        ruleName: rule.ruleName,
                        targetVaultName: args.vaultName,
                        schedule: rule.schedule,
                        scheduleExpressionTimezone: "Etc/UTC",
                        startWindow: args.windows.startMinutes,
                        completionWindow: args.windows.completionMinutes,
                        enableContinuousBackup: rule.continuous,
                        lifecycle,
                        recoveryPointTags: {
                            ...args.recoveryPointTags,
                            [BACKUP_TIER_TAG]: args.tier,
                            [BACKUP_PLAN_TAG]: args.planName,
                            ...(rule.gfsPeriod ? { [BACKUP_RETENTION_TAG]: `gfs-${rule.gfsPeriod}` } : {}),
                        },
                        // Copies keep the source's lifecycle: at least as long as the original.
                        copyActions: (args.copyDestinationArns ?? []).map((destinationVaultArn) => ({ destinationVaultArn, lifecycle })),
                    };
                }),
                tags: { [BACKUP_TIER_TAG]: args.tier, [BACKUP_PLAN_TAG]: args.planName },
            },
            { parent: this },
        );
        // Conditions, unlike selectionTags (ORed), must all match: the tier and the environment (docs/provider-rules.md).
        new aws.backup.Selection(
            name,
            {
                name: args.planName,
                planId: plan.id,
                iamRoleArn: args.serviceRoleArn,
                resources: ["*"],
                // An EC2 backup is an AMI with a snapshot of every attached volume: selecting the
                // instances' tagged volumes as well backed each of them up twice.
                notResources: ["arn:aws:ec2:*:*:volume/*"],
                conditions: [
                    { stringEquals: Object.entries(args.selectTags).map(([key, value]) => ({ key: `aws:ResourceTag/${key}`, value })) },
                ],
            },
            // Every selection argument forces a replacement; the old one goes first, so two never select at once.
            { parent: plan, deleteBeforeReplace: true },
        );
        this.id = plan.id;
        this.registerOutputs({ id: this.id });
    }
}
