/**
 * The backup matrix turned into AWS Backup rules, as pure functions: what each tier's plan
 * contains, the vault lock bounds that fit them, and the tier table other tools print.
 */
import { BACKUP_TIERS, COLD_STORAGE_MIN_DAYS, formatMinutes, type BackupTier } from "../../policies/lib/backupMatrix";
import type { BackupConfig, TierConfig } from "../../config/schema";

/** The physical name of a tier's plan, which is also the BackupPlan tag of what it selects. */
export function backupPlanName(namePrefix: string, tier: BackupTier): string {
    return `${namePrefix}-${tier}`;
}

export interface RuleSpec {
    ruleName: string;
    /** GFS rules keep points longer than the tier asks; they are judged against the GFS figures. */
    gfsPeriod?: "daily" | "weekly" | "monthly" | "yearly";
    schedule: string;
    deleteAfterDays: number;
    coldStorageAfterDays?: number;
    continuous: boolean;
}

const GFS_SCHEDULES = {
    daily: "cron(0 5 * * ? *)",
    weekly: "cron(0 5 ? * SUN *)",
    monthly: "cron(0 5 1 * ? *)",
    yearly: "cron(0 5 1 1 ? *)",
} as const;

/** Cold storage only where AWS's 90 days in cold storage fit before deletion. */
function coldIfAllowed(deleteAfterDays: number, coldAfterDays: number | undefined): { coldStorageAfterDays?: number } {
    return coldAfterDays !== undefined && deleteAfterDays >= coldAfterDays + COLD_STORAGE_MIN_DAYS
        ? { coldStorageAfterDays: coldAfterDays }
        : {};
}

/** The rules of one tier's plan: its own schedule, plus the GFS rules when the tier asks for them. */
export function tierRules(tier: BackupTier, config: TierConfig, gfs: BackupConfig["gfs"]): RuleSpec[] {
    const rules: RuleSpec[] = [
        {
            ruleName: `${tier}-${config.continuous ? "continuous" : "scheduled"}`,
            schedule: config.schedule,
            deleteAfterDays: config.retentionDays,
            continuous: config.continuous,
            // Continuous recovery points cannot move to cold storage.
            ...(config.continuous ? {} : coldIfAllowed(config.retentionDays, config.coldStorageAfterDays)),
        },
    ];
    if (config.gfs) {
        const periods = [
            ["daily", gfs.dailyDays],
            ["weekly", gfs.weeklyDays],
            ["monthly", gfs.monthlyDays],
            ["yearly", gfs.yearlyDays],
        ] as const;
        for (const [period, days] of periods) {
            rules.push({
                ruleName: `${tier}-gfs-${period}`,
                gfsPeriod: period,
                schedule: GFS_SCHEDULES[period],
                deleteAfterDays: days,
                continuous: false,
                ...coldIfAllowed(days, gfs.coldStorageAfterDays),
            });
        }
    }
    return rules;
}

export function allTierRules(config: BackupConfig): Record<BackupTier, RuleSpec[]> {
    return Object.fromEntries(BACKUP_TIERS.map((tier) => [tier, tierRules(tier, config.tiers[tier], config.gfs)])) as Record<
        BackupTier,
        RuleSpec[]
    >;
}

export interface TierRow {
    rpo: string;
    rto: string;
    schedule: string;
    retentionDays: number;
    continuous: boolean;
    gfs: boolean;
    /** Where copies go besides the primary vault (regions or account vault ARNs). */
    copies: string[];
}

/** tier -> RPO, RTO, schedule, retention, copies: a plain object other tools print. */
export function tierTable(config: BackupConfig, copyTargets: string[]): Record<BackupTier, TierRow> {
    return Object.fromEntries(
        BACKUP_TIERS.map((tier) => {
            const t = config.tiers[tier];
            return [
                tier,
                {
                    rpo: formatMinutes(t.rpoMinutes),
                    rto: formatMinutes(t.rtoMinutes),
                    schedule: t.schedule,
                    retentionDays: t.retentionDays,
                    continuous: t.continuous,
                    gfs: t.gfs,
                    copies: copyTargets,
                },
            ];
        }),
    ) as Record<BackupTier, TierRow>;
}
