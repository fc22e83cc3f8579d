/**
 * The Backup Audit Manager controls of one environment, as data: the rules components/backup
 * enforces, checked again by AWS after deploy. Each control is scoped by one tag pair (AWS
 * takes no more): the environment's, or a plan's own BackupPlan tag, which is both the
 * environment's and the tier's.
 */
import { BACKUP_PLAN_TAG, BACKUP_TIERS, SEED_OBJECTIVES, scheduleIntervalMinutes } from "../../policies/lib/backupMatrix";
import type { BackupConfig } from "../../config/schema";
import { ENVIRONMENT_TAG } from "../../config/tagging";
import { backupPlanName } from "./planRules";

export interface AuditControl {
    name: string;
    inputParameters?: Array<{ name: string; value: string }>;
    scope?: { tags: Record<string, string> };
}

/** The unit and value BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK accepts: 1-24 hours or 1-31 days. */
export function requiredFrequency(schedule: string): { unit: "hours" | "days"; value: number } {
    const hours = Math.max(1, Math.ceil((scheduleIntervalMinutes(schedule) ?? 60) / 60));
    if (hours <= 24) return { unit: "hours", value: hours };
    const days = Math.ceil(hours / 24);
    if (days > 31) throw new Error(`backup schedule ${schedule} runs every ${days} days; the audit control takes at most 31 days`);
    return { unit: "days", value: days };
}

export function auditControls(
    config: BackupConfig,
    namePrefix: string,
    environment: string,
    bounds: { minRetentionDays: number; maxRetentionDays: number },
    copyRegion: string | undefined,
    /** The role the vault policies let delete recovery points: the control's exemption. */
    breakGlassRoleArn: string,
): AuditControl[] {
    const param = (name: string, value: string | number) => ({ name, value: String(value) });
    const inEnvironment = { tags: { [ENVIRONMENT_TAG]: environment } };
    return [
        { name: "BACKUP_RECOVERY_POINT_ENCRYPTED", scope: inEnvironment },
        // The vault policy's Deny exempts the break-glass role; the control is told so, or it judges the vaults non-compliant.
        {
            name: "BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED",
            inputParameters: [param("principalArnList", breakGlassRoleArn)],
            scope: inEnvironment,
        },
        ...BACKUP_TIERS.flatMap((tier) => {
            const t = config.tiers[tier];
            const ofPlan = { tags: { [BACKUP_PLAN_TAG]: backupPlanName(namePrefix, tier) } };
            const frequency = requiredFrequency(t.schedule);
            return [
                { name: "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN", scope: ofPlan },
                {
                    name: "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK",
                    inputParameters: [
                        param("requiredFrequencyUnit", frequency.unit),
                        param("requiredFrequencyValue", frequency.value),
                        param("requiredRetentionDays", SEED_OBJECTIVES[tier].minRetentionDays),
                    ],
                    scope: ofPlan,
                },
                { name: "RESTORE_TIME_FOR_RESOURCES_MEET_TARGET", inputParameters: [param("maxRestoreTime", t.rtoMinutes)], scope: ofPlan },
            ];
        }),
        ...(config.lockMode !== "none"
            ? [
                  {
                      name: "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK",
                      inputParameters: [
                          param("minRetentionDays", bounds.minRetentionDays),
                          param("maxRetentionDays", bounds.maxRetentionDays),
                      ],
                      scope: inEnvironment,
                  },
              ]
            : []),
        ...(copyRegion
            ? [
                  {
                      name: "BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION",
                      inputParameters: [param("crossRegionList", copyRegion)],
                      scope: inEnvironment,
                  },
              ]
            : []),
    ];
}
