import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BACKUP_TIERS, BACKUP_TIER_TAG, SEED_OBJECTIVES, scheduleIntervalMinutes, type BackupTier } from "../../config/backupMatrix";
import { sectionSettings, type BackupConfig, type SectionInput } from "../../config/schema";
import { BackupPlan } from "./backupPlan";
import { BackupVault } from "./backupVault";
import { allTierRules, lockBounds, tierTable, type TierRow } from "./planRules";
import { RestoreTests } from "./restoreTests";

export interface BackupArgs {
    /** The `ops-platform:backup` section: tiers, GFS, windows, lock, copies, restore testing. Optional; defaults in config/schema.ts. */
    settings?: SectionInput<"backup">;
    /** Physical name prefix for vaults, plans and frameworks (`<service>-<environment>`). Required. */
    namePrefix: string;
    /** SNS topic that receives failed backup, copy and restore jobs. Required. */
    notificationTopicArn: pulumi.Input<string>;
    /** Provider of the DR region; with it, every rule copies to a vault there. Optional. Defaults to no cross-region copy. */
    copyProvider?: aws.Provider;
    /** Name of the DR region, for the audit framework. Optional; required with copyProvider. */
    copyRegion?: string;
    /** `protect` keys and vaults. Optional. Defaults to PROTECT_BY_DEFAULT. */
    protect?: boolean;
}

/**
 * AWS Backup for the platform: a locked vault (and one in the DR region), one plan per tier
 * selecting resources by their BackupTier tag, monthly restore tests, and an Audit Manager
 * framework that checks the same rules after deploy.
 */
export class Backup extends pulumi.ComponentResource {
    readonly vaultName: pulumi.Output<string>;
    readonly vaultArn: pulumi.Output<string>;
    readonly drVaultName?: pulumi.Output<string>;
    readonly drVaultArn?: pulumi.Output<string>;
    readonly planIds: Record<BackupTier, pulumi.Output<string>>;
    /** tier -> RPO, RTO, schedule, retention, copies. */
    readonly tiers: Record<BackupTier, TierRow>;

    constructor(name: string, args: BackupArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:backup:Backup", name, {}, opts);
        const { namePrefix, protect } = args;
        const settings = sectionSettings("backup", args.settings, name);
        const rules = allTierRules(settings);
        const retentionBounds = lockBounds(rules);

        const primary = new BackupVault(name, { vaultName: namePrefix, retentionBounds, notificationTopicArn: args.notificationTopicArn, settings, protect }, { parent: this });
        const dr = args.copyProvider ? new BackupVault(`${name}-dr`, { vaultName: `${namePrefix}-dr`, retentionBounds, settings, protect }, { parent: this, provider: args.copyProvider }) : undefined;

        const role = new aws.iam.Role(`${name}-service`, { assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole" }] }) }, { parent: this });
        for (const [suffix, policyArn] of [
            ["backup", "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"],
            ["restore", "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"],
        ] as const) {
            new aws.iam.RolePolicyAttachment(`${name}-service-${suffix}`, { role: role.name, policyArn }, { parent: role });
        }

        const copyDestinationArns: pulumi.Input<string>[] = [...(dr ? [dr.arn] : []), ...(settings.crossAccountVaultArn ? [settings.crossAccountVaultArn] : [])];
        const windows = { startMinutes: settings.startWindowMinutes, completionMinutes: settings.completionWindowMinutes };
        this.planIds = Object.fromEntries(
            BACKUP_TIERS.map((tier) => [
                tier,
                new BackupPlan(`${name}-${tier}`, { planName: `${namePrefix}-${tier}`, tier, rules: rules[tier], vaultName: primary.name, copyDestinationArns, serviceRoleArn: role.arn, windows }, { parent: this }).id,
            ]),
        ) as Record<BackupTier, pulumi.Output<string>>;

        if (settings.restoreTesting.enabled) new RestoreTests(`${name}-restore-tests`, { planName: `${namePrefix}_restore_tests`, vaultArn: primary.arn, serviceRoleArn: role.arn, settings }, { parent: this });
        const copyRegion = args.copyRegion && dr ? args.copyRegion : undefined;
        this.auditFramework(name, namePrefix, settings, retentionBounds, copyRegion);

        this.vaultName = primary.name;
        this.vaultArn = primary.arn;
        this.drVaultName = dr?.name;
        this.drVaultArn = dr?.arn;
        this.tiers = tierTable(settings, [...(copyRegion ? [copyRegion] : []), ...(settings.crossAccountVaultArn ? [settings.crossAccountVaultArn] : [])]);
        this.registerOutputs({ vaultName: this.vaultName, vaultArn: this.vaultArn, drVaultName: this.drVaultName, drVaultArn: this.drVaultArn, planIds: this.planIds, tiers: this.tiers });
    }

    /** Backup Audit Manager: the rules this component enforces, checked again after deploy. */
    private auditFramework(name: string, namePrefix: string, config: BackupConfig, bounds: { minRetentionDays: number; maxRetentionDays: number }, copyRegion: string | undefined): void {
        const param = (n: string, v: string | number) => ({ name: n, value: String(v) });
        const tagScope = (tier: BackupTier) => ({ tags: { [BACKUP_TIER_TAG]: tier } });
        const controls = [
            { name: "BACKUP_RECOVERY_POINT_ENCRYPTED" },
            { name: "BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED" },
            ...BACKUP_TIERS.flatMap((tier) => {
                const t = config.tiers[tier];
                const intervalHours = Math.max(1, Math.round((scheduleIntervalMinutes(t.schedule) ?? 60) / 60));
                return [
                    { name: "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN", scope: tagScope(tier) },
                    {
                        name: "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK",
                        inputParameters: [param("requiredFrequencyUnit", "hours"), param("requiredFrequencyValue", intervalHours), param("requiredRetentionDays", SEED_OBJECTIVES[tier].minRetentionDays)],
                        scope: tagScope(tier),
                    },
                    { name: "RESTORE_TIME_FOR_RESOURCES_MEET_TARGET", inputParameters: [param("maxRestoreTime", t.rtoMinutes)], scope: tagScope(tier) },
                ];
            }),
            ...(config.lockMode !== "none"
                ? [{ name: "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK", inputParameters: [param("minRetentionDays", bounds.minRetentionDays), param("maxRetentionDays", bounds.maxRetentionDays)] }]
                : []),
            ...(copyRegion ? [{ name: "BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION", inputParameters: [param("crossRegionList", copyRegion)] }] : []),
        ];
        new aws.backup.Framework(`${name}-audit`, { name: `${namePrefix}_backup_rules`.replace(/-/g, "_"), description: "The backup matrix and 3-2-1 rules of ops-platform", controls }, { parent: this });
    }
}
