import * as aws from "../aws";
import * as pulumi from "@pulumi/pulumi";
import { BACKUP_TIERS, BACKUP_TIER_TAG, type BackupTier } from "../../policies/lib/backupMatrix";
import { type SectionInput } from "../../config/schema";
import { sectionSettings } from "../../config/sections";
import { ENVIRONMENT_TAG } from "../../config/tagging";
import { AlarmTopic } from "../alerting";
import { auditControls } from "./auditControls";
import { BackupPlan } from "./backupPlan";
import { BackupVault, FAILED_JOB_FILTER, breakGlassRoleArn } from "./backupVault";
import { allTierRules, backupPlanName, tierTable, type TierRow } from "./planRules";
import { RestoreTests } from "./restoreTests";
import { serviceRole } from "../iam";

export interface BackupArgs {
    /** The `ops-platform:backup` section: tiers, GFS, windows, lock, copies, restore testing. Optional; defaults in config/schema.ts. */
    settings?: SectionInput<"backup">;
    /** Physical name prefix for vaults, plans and frameworks (`<service>-<environment>`). Required. */
    namePrefix: string;
    /** The environment: selections, restore tests and audit controls match only resources tagged with it. Required. */
    environment: string;
    /** Where failed jobs are reported: email addresses. Optional. Defaults to none. */
    alarmEmails?: string[];
    /** Provider of the DR region; with it, every rule copies to a vault there. Optional. Defaults to no cross-region copy. */
    copyProvider?: aws.Provider;
    /** Name of the DR region, for the audit framework. Optional; required with copyProvider. */
    copyRegion?: string;
    /**
     * Roles of the instances the plans back up: restoring (and restore-testing) an instance with
     * an instance profile passes its role, which the restore role may pass to EC2 only. Optional.
     */
    restoredInstanceRoleArns?: pulumi.Input<string>[];
    /** `protect` keys and vaults. Optional. Defaults to PROTECT_BY_DEFAULT. */
    protect?: boolean;
}

/**
 * AWS Backup for one environment: a locked vault (and one in the DR region), one plan per tier
 * selecting the environment's resources of that tier, failed jobs to their own topic, monthly
 * restore tests, and an Audit Manager framework that checks the same rules after deploy.
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
        const { namePrefix, environment, protect } = args;
        const settings = sectionSettings("backup", args.settings, name);
        const rules = allTierRules(settings);
        // The lock's bounds are settings of their own: a retention change never replaces a lock.
        const retentionBounds = settings.lockBounds;
        const envTags = { [ENVIRONMENT_TAG]: environment };

        // Job outcomes on a topic of their own: its subscriptions drop successes by the State attribute, which would drop CloudWatch alarms too.
        const events = new AlarmTopic(
            `${name}-jobs`,
            { emails: args.alarmEmails, filterPolicy: FAILED_JOB_FILTER, protect },
            { parent: this },
        );
        const primary = new BackupVault(
            name,
            { vaultName: namePrefix, retentionBounds, notificationTopicArn: events.arn, settings, protect },
            { parent: this },
        );
        const dr = args.copyProvider
            ? new BackupVault(
                  `${name}-dr`,
                  { vaultName: `${namePrefix}-dr`, retentionBounds, settings, protect },
                  { parent: this, provider: args.copyProvider },
              )
            : undefined;

        const role = serviceRole(
            `${name}-service`,
            "backup.amazonaws.com",
            {
                backup: "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
                restore: "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
            },
            { parent: this },
        );
        // AWSBackupServiceRolePolicyForRestores grants iam:PassRole only since its 2025-11 version;
        // this statement does not depend on the managed policy keeping it (docs/provider-rules.md).
        if (args.restoredInstanceRoleArns && args.restoredInstanceRoleArns.length > 0)
            new aws.iam.RolePolicy(
                `${name}-service-pass-instance-roles`,
                {
                    role: role.name,
                    policy: pulumi.output(args.restoredInstanceRoleArns).apply((arns) =>
                        JSON.stringify({
                            Version: "2012-10-17",
                            Statement: [
                                {
                                    Sid: "RestoreInstancesWithTheirRole",
                                    Effect: "Allow",
                                    Action: "iam:PassRole",
                                    Resource: arns,
                                    Condition: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } },
                                },
                            ],
                        }),
                    ),
                },
                { parent: role },
            );

        const copyDestinationArns: pulumi.Input<string>[] = [
            ...(dr ? [dr.arn] : []),
            ...(settings.crossAccountVaultArn ? [settings.crossAccountVaultArn] : []),
        ];
        const windows = { startMinutes: settings.startWindowMinutes, completionMinutes: settings.completionWindowMinutes };
        this.planIds = Object.fromEntries(
            BACKUP_TIERS.map((tier) => [
                tier,
                new BackupPlan(
                    `${name}-${tier}`,
                    {
                        planName: backupPlanName(namePrefix, tier),
                        tier,
                        selectTags: { [BACKUP_TIER_TAG]: tier, ...envTags },
                        recoveryPointTags: envTags,
                        rules: rules[tier],
                        vaultName: primary.name,
                        copyDestinationArns,
                        serviceRoleArn: role.arn,
                        windows,
                    },
                    { parent: this },
                ).id,
            ]),
        ) as Record<BackupTier, pulumi.Output<string>>;

        if (settings.restoreTesting.enabled)
            new RestoreTests(
                `${name}-restore-tests`,
                { planName: `${namePrefix}_restore_tests`, vaultArn: primary.arn, serviceRoleArn: role.arn, scopeTags: envTags, settings },
                { parent: this },
            );
        const copyRegion = args.copyRegion && dr ? args.copyRegion : undefined;
        new aws.backup.Framework(
            `${name}-audit`,
            {
                name: `${namePrefix}_backup_rules`.replace(/-/g, "_"),
                description: "The backup matrix and 3-2-1 rules of ops-platform",
                controls: aws
                    .getCallerIdentityOutput({}, { parent: this })
                    .accountId.apply((account) =>
                        auditControls(
                            settings,
                            namePrefix,
                            environment,
                            retentionBounds,
                            copyRegion,
                            breakGlassRoleArn(account, settings.breakGlassRoleName),
                        ),
                    ),
            },
            { parent: this },
        );

        this.vaultName = primary.name;
        this.vaultArn = primary.arn;
        this.drVaultName = dr?.name;
        this.drVaultArn = dr?.arn;
        this.tiers = tierTable(settings, [
            ...(copyRegion ? [copyRegion] : []),
            ...(settings.crossAccountVaultArn ? [settings.crossAccountVaultArn] : []),
        ]);
        this.registerOutputs({
            vaultName: this.vaultName,
            vaultArn: this.vaultArn,
            drVaultName: this.drVaultName,
            drVaultArn: this.drVaultArn,
            planIds: this.planIds,
            tiers: this.tiers,
        });
    }
}
