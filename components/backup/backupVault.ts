import * as aws from "../aws";
import * as pulumi from "@pulumi/pulumi";
import { PROTECT_BY_DEFAULT, type SectionInput } from "../../config/schema";
import { sectionSettings } from "../../config/sections";

export interface BackupVaultArgs {
    /** Physical vault name (also names its key alias). Required. */
    vaultName: string;
    /** Lock bounds that every rule stored here lies inside; the lock mode comes from settings. Required. */
    retentionBounds: { minRetentionDays: number; maxRetentionDays: number };
    /** SNS topic for job outcomes (VAULT_EVENTS); its subscriptions filter with FAILED_JOB_FILTER. Optional. Defaults to no notifications. */
    notificationTopicArn?: pulumi.Input<string>;
    /** The `ops-platform:backup` section: lockMode, lockChangeableForDays, breakGlassRoleName. Optional; defaults in config/schema.ts. */
    settings?: SectionInput<"backup">;
    /** `protect` the key, the vault and its lock. Optional. Defaults to PROTECT_BY_DEFAULT. */
    protect?: boolean;
}

/**
 * The `backup:` actions nobody but the break-glass role may call. The recovery-point actions
 * are authorised against recovery-point ARNs, so the statement's Resource is "*"; with
 * PutBackupVaultAccessPolicy in it, it is what BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED
 * asks for (docs/provider-rules.md).
 */
const DELETION_ACTIONS = [
    "backup:DeleteRecoveryPoint",
    "backup:UpdateRecoveryPointLifecycle",
    "backup:PutBackupVaultAccessPolicy",
    "backup:DeleteBackupVaultAccessPolicy",
    "backup:DeleteBackupVault",
    "backup:DeleteBackupVaultLockConfiguration",
];

/**
 * Vault events that are still sent (the job *_FAILED and *_EXPIRED events are deprecated and
 * send nothing). A job's outcome arrives as *_COMPLETED with its `State` message attribute,
 * which the subscriptions filter on: FAILED_JOB_FILTER.
 */
const VAULT_EVENTS = [
    "BACKUP_JOB_COMPLETED",
    "COPY_JOB_FAILED",
    "RESTORE_JOB_COMPLETED",
    "S3_BACKUP_OBJECT_FAILED",
    "S3_RESTORE_OBJECT_FAILED",
];
/**
 * The SNS filter policy that lets through every job outcome but success. An event without a
 * State attribute (AWS documents it for job events only; S3 object and copy failures are not
 * documented to carry one) passes too: a filter drops every message it cannot match.
 */
export const FAILED_JOB_FILTER = { State: [{ "anything-but": "COMPLETED" }, { exists: false }] };

/** The break-glass role: the only principal the vault policies let delete recovery points. */
export function breakGlassRoleArn(account: string, roleName: string): string {
    return `arn:aws:iam::${account}:role/${roleName}`;
}

/**
 * An AWS Backup vault encrypted with its own customer-managed key, locked, with deletion
 * denied to all but a break-glass role, and job failures sent to a topic. Resources inherit
 * the AWS provider of `opts`.
 */
export class BackupVault extends pulumi.ComponentResource {
    readonly name: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;

    constructor(name: string, args: BackupVaultArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:backup:BackupVault", name, {}, opts);
        const settings = sectionSettings("backup", args.settings, name);
        const protect = args.protect ?? PROTECT_BY_DEFAULT;
        const caller = aws.getCallerIdentityOutput({}, { parent: this });
        const key = new aws.kms.Key(
            `${name}-vault`,
            {
                description: `AWS Backup vault key ${args.vaultName}`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: caller.accountId.apply((account) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            // Administration stays with IAM in this account; no principal outside it.
                            {
                                Sid: "AccountAdministers",
                                Effect: "Allow",
                                Principal: { AWS: `arn:aws:iam::${account}:root` },
                                Action: "kms:*",
                                Resource: "*",
                            },
                            {
                                Sid: "BackupUsesKey",
                                Effect: "Allow",
                                Principal: { AWS: "*" },
                                Action: [
                                    "kms:Encrypt",
                                    "kms:Decrypt",
                                    "kms:ReEncrypt*",
                                    "kms:GenerateDataKey*",
                                    "kms:DescribeKey",
                                    "kms:CreateGrant",
                                ],
                                Resource: "*",
                                Condition: {
                                    StringEquals: { "kms:CallerAccount": account },
                                    StringLike: { "kms:ViaService": "backup.*.amazonaws.com" },
                                },
                            },
                        ],
                    }),
                ),
            },
            { parent: this, protect },
        );
        new aws.kms.Alias(`${name}-vault`, { name: `alias/${args.vaultName}-backup`, targetKeyId: key.keyId }, { parent: key });
        const vault = new aws.backup.Vault(
            name,
            { name: args.vaultName, kmsKeyArn: key.arn, forceDestroy: false },
            { parent: this, protect },
        );
        if (settings.lockMode !== "none") {
            new aws.backup.VaultLockConfiguration(
                name,
                {
                    backupVaultName: vault.name,
                    ...args.retentionBounds,
                    // A compliance lock becomes immutable after changeableForDays; governance has no such date.
                    ...(settings.lockMode === "compliance" ? { changeableForDays: settings.lockChangeableForDays } : {}),
                },
                { parent: vault, protect },
            );
        }
        new aws.backup.VaultPolicy(
            name,
            {
                backupVaultName: vault.name,
                // Changing this policy later is itself denied to all but the break-glass role: run that `up` as it (README).
                policy: caller.accountId.apply((account) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Sid: "OnlyBreakGlassDeletes",
                                Effect: "Deny",
                                Principal: { AWS: "*" },
                                Action: DELETION_ACTIONS,
                                Resource: "*",
                                Condition: {
                                    ArnNotLike: { "aws:PrincipalArn": breakGlassRoleArn(account, settings.breakGlassRoleName) },
                                },
                            },
                        ],
                    }),
                ),
            },
            { parent: vault },
        );
        if (args.notificationTopicArn) {
            new aws.backup.VaultNotifications(
                name,
                { backupVaultName: vault.name, snsTopicArn: args.notificationTopicArn, backupVaultEvents: VAULT_EVENTS },
                { parent: vault },
            );
        }
        this.name = vault.name;
        this.arn = vault.arn;
        this.registerOutputs({ name: this.name, arn: this.arn });
    }
}
