import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BACKUP_RETENTION_TAG, BACKUP_TIERS, BACKUP_TIER_TAG, SEED_OBJECTIVES, scheduleIntervalMinutes, type BackupTier } from "../../config/backupMatrix";
import type { BackupConfig } from "../../config/schema";
import { allTierRules, lockBounds, tierTable, type TierRow } from "./planRules";

export interface BackupArgs {
    /** Tiers, GFS, windows, lock, copies and restore testing; see config/schema.ts for each default. Required. */
    config: BackupConfig;
    /** Physical name prefix for vaults, plans and frameworks (`<service>-<environment>`). Required. */
    namePrefix: string;
    /** SNS topic that receives failed backup, copy and restore jobs. Required. */
    notificationTopicArn: pulumi.Input<string>;
    /** Provider of the DR region; with it, every rule copies to a vault there. Optional. Defaults to no cross-region copy. */
    copyProvider?: aws.Provider;
    /** Name of the DR region, for the audit framework. Optional; required with copyProvider. */
    copyRegion?: string;
    /** `protect` keys and vaults. Optional. Defaults to true. */
    protect?: boolean;
}

/** The `backup:` actions nobody but the break-glass role may call on recovery points. */
export const DELETION_ACTIONS = ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle", "backup:DeleteBackupVault", "backup:PutBackupVaultAccessPolicy", "backup:DeleteBackupVaultAccessPolicy", "backup:DeleteBackupVaultLockConfiguration"];

const FAILURE_EVENTS = ["BACKUP_JOB_FAILED", "BACKUP_JOB_EXPIRED", "COPY_JOB_FAILED", "RESTORE_JOB_FAILED", "S3_BACKUP_OBJECT_FAILED", "S3_RESTORE_OBJECT_FAILED", "RECOVERY_POINT_MODIFIED"];

interface LockedVault {
    key: aws.kms.Key;
    vault: aws.backup.Vault;
}

/**
 * AWS Backup for the platform: a customer-key vault (and one in the DR region), locked, with
 * deletion denied to all but a break-glass role; one plan per tier selecting resources by
 * their BackupTier tag; failure notifications; monthly restore tests; an Audit Manager
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
        const { config, namePrefix } = args;
        const protect = args.protect ?? true;
        const rules = allTierRules(config);
        const bounds = lockBounds(rules);

        const primary = this.lockedVault(name, namePrefix, { parent: this }, config, bounds, protect);
        const dr = args.copyProvider ? this.lockedVault(`${name}-dr`, `${namePrefix}-dr`, { parent: this, provider: args.copyProvider }, config, bounds, protect) : undefined;
        new aws.backup.VaultNotifications(name, { backupVaultName: primary.vault.name, snsTopicArn: args.notificationTopicArn, backupVaultEvents: FAILURE_EVENTS }, { parent: primary.vault });

        const role = new aws.iam.Role(`${name}-service`, { assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole" }] }) }, { parent: this });
        for (const [suffix, policyArn] of [
            ["backup", "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"],
            ["restore", "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"],
        ] as const) {
            new aws.iam.RolePolicyAttachment(`${name}-service-${suffix}`, { role: role.name, policyArn }, { parent: role });
        }

        const copyDestinations: pulumi.Input<string>[] = [...(dr ? [dr.vault.arn] : []), ...(config.crossAccountVaultArn ? [config.crossAccountVaultArn] : [])];
        const planIds = {} as Record<BackupTier, pulumi.Output<string>>;
        for (const tier of BACKUP_TIERS) {
            const plan = new aws.backup.Plan(
                `${name}-${tier}`,
                {
                    name: `${namePrefix}-${tier}`,
                    rules: rules[tier].map((rule) => {
                        const lifecycle = { deleteAfter: rule.deleteAfterDays, ...(rule.coldStorageAfterDays ? { coldStorageAfter: rule.coldStorageAfterDays } : {}) };
                        return {
                            ruleName: rule.ruleName,
                            targetVaultName: primary.vault.name,
                            schedule: rule.schedule,
                            scheduleExpressionTimezone: "Etc/UTC",
                            startWindow: config.startWindowMinutes,
                            completionWindow: config.completionWindowMinutes,
                            enableContinuousBackup: rule.continuous,
                            lifecycle,
                            recoveryPointTags: { [BACKUP_TIER_TAG]: tier, ...(rule.gfsPeriod ? { [BACKUP_RETENTION_TAG]: `gfs-${rule.gfsPeriod}` } : {}) },
                            // Copies keep the source's lifecycle: at least as long as the original.
                            copyActions: copyDestinations.map((destinationVaultArn) => ({ destinationVaultArn, lifecycle })),
                        };
                    }),
                },
                { parent: this },
            );
            new aws.backup.Selection(
                `${name}-${tier}`,
                { name: `${namePrefix}-${tier}`, planId: plan.id, iamRoleArn: role.arn, selectionTags: [{ type: "STRINGEQUALS", key: BACKUP_TIER_TAG, value: tier }] },
                { parent: plan },
            );
            planIds[tier] = plan.id;
        }

        if (config.restoreTesting.enabled) this.restoreTests(name, namePrefix, config, primary.vault, role);
        this.auditFramework(name, namePrefix, config, bounds, args.copyRegion && dr ? args.copyRegion : undefined);

        this.vaultName = primary.vault.name;
        this.vaultArn = primary.vault.arn;
        this.drVaultName = dr?.vault.name;
        this.drVaultArn = dr?.vault.arn;
        this.planIds = planIds;
        this.tiers = tierTable(config, [...(args.copyRegion && dr ? [args.copyRegion] : []), ...(config.crossAccountVaultArn ? [config.crossAccountVaultArn] : [])]);
        this.registerOutputs({ vaultName: this.vaultName, vaultArn: this.vaultArn, drVaultName: this.drVaultName, drVaultArn: this.drVaultArn, planIds: this.planIds, tiers: this.tiers });
    }

    /** A customer-managed key, a vault encrypted with it, its lock and its access policy. */
    private lockedVault(name: string, physicalName: string, opts: pulumi.CustomResourceOptions, config: BackupConfig, bounds: { minRetentionDays: number; maxRetentionDays: number }, protect: boolean): LockedVault {
        const caller = aws.getCallerIdentityOutput({}, opts);
        const key = new aws.kms.Key(
            `${name}-vault`,
            {
                description: `AWS Backup vault key ${physicalName}`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: caller.accountId.apply((account) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            // Administration stays with IAM in this account; no principal outside it.
                            { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
                            {
                                Sid: "BackupUsesKey",
                                Effect: "Allow",
                                Principal: { AWS: "*" },
                                Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant"],
                                Resource: "*",
                                Condition: { StringEquals: { "kms:CallerAccount": account }, StringLike: { "kms:ViaService": "backup.*.amazonaws.com" } },
                            },
                        ],
                    }),
                ),
            },
            { ...opts, protect },
        );
        new aws.kms.Alias(`${name}-vault`, { name: `alias/${physicalName}-backup`, targetKeyId: key.keyId }, { ...opts, parent: key });
        const vault = new aws.backup.Vault(name, { name: physicalName, kmsKeyArn: key.arn, forceDestroy: false }, { ...opts, protect });
        const child = { ...opts, parent: vault };
        if (config.lockMode !== "none") {
            new aws.backup.VaultLockConfiguration(
                name,
                {
                    backupVaultName: vault.name,
                    minRetentionDays: bounds.minRetentionDays,
                    maxRetentionDays: bounds.maxRetentionDays,
                    // A compliance lock becomes immutable after changeableForDays; governance has no such date.
                    ...(config.lockMode === "compliance" ? { changeableForDays: config.lockChangeableForDays } : {}),
                },
                { ...child, protect },
            );
        }
        new aws.backup.VaultPolicy(
            name,
            {
                backupVaultName: vault.name,
                policy: pulumi.all([vault.arn, caller.accountId]).apply(([arn, account]) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Sid: "OnlyBreakGlassDeletes",
                                Effect: "Deny",
                                Principal: { AWS: "*" },
                                Action: DELETION_ACTIONS,
                                Resource: arn,
                                Condition: { ArnNotLike: { "aws:PrincipalArn": `arn:aws:iam::${account}:role/${config.breakGlassRoleName}` } },
                            },
                        ],
                    }),
                ),
            },
            child,
        );
        return { key, vault };
    }

    /** Monthly restore tests of the latest recovery point of each tested tier. */
    private restoreTests(name: string, namePrefix: string, config: BackupConfig, vault: aws.backup.Vault, role: aws.iam.Role): void {
        const planName = `${namePrefix}_restore_tests`.replace(/-/g, "_");
        const plan = new aws.backup.RestoreTestingPlan(
            `${name}-restore-tests`,
            {
                name: planName,
                scheduleExpression: config.restoreTesting.schedule,
                scheduleExpressionTimezone: "Etc/UTC",
                startWindowHours: 8,
                recoveryPointSelection: { algorithm: "LATEST_WITHIN_WINDOW", includeVaults: [vault.arn], recoveryPointTypes: ["SNAPSHOT"], selectionWindowDays: 7 },
            },
            { parent: this },
        );
        for (const tier of config.restoreTestTiers) {
            new aws.backup.RestoreTestingSelection(
                `${name}-restore-tests-${tier}`,
                {
                    name: `${tier}_ec2`,
                    restoreTestingPlanName: plan.name,
                    protectedResourceType: "EC2",
                    iamRoleArn: role.arn,
                    protectedResourceConditions: { stringEquals: [{ key: `aws:ResourceTag/${BACKUP_TIER_TAG}`, value: tier }] },
                    validationWindowHours: config.restoreTesting.validationWindowHours,
                },
                { parent: plan },
            );
        }
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
