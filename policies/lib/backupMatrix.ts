/**
 * The backup matrix of the source documents (it-operations/backup-recovery.md), as data.
 *
 * The stack config (config/schema.ts) uses these as defaults and the policy pack
 * (policies/rules/backup.ts) uses them as the floor nobody may go below, so both read them
 * from here.
 */

export const BACKUP_TIERS = ["critical", "high", "medium", "low"] as const;
export type BackupTier = (typeof BACKUP_TIERS)[number];

/** The tag key that backup selections match on and the fleet puts on instances and volumes. */
export const BACKUP_TIER_TAG = "BackupTier";
/**
 * The tag naming the backup plan (`<service>-<environment>-<tier>`) that selects a resource, on
 * resources and on the plans. Backup Audit Manager scopes a control by one tag pair only, and
 * this one pair is both the environment's and the tier's.
 */
export const BACKUP_PLAN_TAG = "BackupPlan";
/** Recovery-point tag that marks a GFS rule's points (`gfs-daily` ... `gfs-yearly`). */
export const BACKUP_RETENTION_TAG = "BackupRetention";

export interface TierObjective {
    /** Recovery point objective: the most data, in minutes, that may be lost. */
    rpoMinutes: number;
    /** Recovery time objective, in minutes. */
    rtoMinutes: number;
    /** Minimum retention of a recovery point, in days. */
    minRetentionDays: number;
}

/** RPO, RTO and retention per tier, as the matrix states them. */
export const SEED_OBJECTIVES: Record<BackupTier, TierObjective> = {
    critical: { rpoMinutes: 15, rtoMinutes: 60, minRetentionDays: 30 },
    high: { rpoMinutes: 60, rtoMinutes: 240, minRetentionDays: 7 },
    medium: { rpoMinutes: 1440, rtoMinutes: 480, minRetentionDays: 30 },
    low: { rpoMinutes: 10080, rtoMinutes: 1440, minRetentionDays: 14 },
};

/**
 * AWS Backup schedules per tier. Hourly is AWS Backup's shortest schedule, so the critical
 * tier's 15-minute RPO is met by continuous backup (point-in-time recovery) where the
 * resource type supports it.
 */
/** The best RPO AWS Backup achieves for EC2: no point-in-time recovery, snapshots at most hourly. */
export const EC2_BEST_RPO_MINUTES = 60;

export const SEED_SCHEDULES: Record<BackupTier, string> = {
    critical: "cron(0 * * * ? *)",
    high: "cron(0 * * * ? *)",
    medium: "cron(0 2 * * ? *)",
    low: "cron(0 2 ? * SUN *)",
};

/** Grandfather-father-son retention (daily 7 d, weekly 4 w, monthly 12 mo, yearly 7 y). */
export const SEED_GFS = { dailyDays: 7, weeklyDays: 28, monthlyDays: 365, yearlyDays: 2555 };

/** AWS Backup: a recovery point must stay in cold storage at least 90 days before deletion. */
export const COLD_STORAGE_MIN_DAYS = 90;
/** AWS Backup: continuous backups can be kept at most 35 days. */
export const CONTINUOUS_MAX_RETENTION_DAYS = 35;

const MINUTE = 1;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The longest interval, in minutes, between two runs of an AWS Backup schedule expression
 * (`cron(m h dom mon dow year)` or `rate(n unit)`). Returns undefined for an expression it
 * cannot read, so callers can say so instead of guessing.
 */
export function scheduleIntervalMinutes(expression: string): number | undefined {
    const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
    if (rate) {
        const n = Number(rate[1]);
        const unit = rate[2]!.startsWith("minute") ? MINUTE : rate[2]!.startsWith("hour") ? HOUR : DAY;
        return n * unit;
    }
    const cron = /^cron\((.+)\)$/.exec(expression.trim());
    if (!cron) return undefined;
    const fields = cron[1]!.trim().split(/\s+/);
    if (fields.length !== 6) return undefined;
    const [minutes, hours, dayOfMonth, month, dayOfWeek] = fields as [string, string, string, string, string];
    const any = (f: string) => f === "*" || f === "?";
    if (!/^\d+$/.test(minutes)) return undefined;
    if (!any(month)) return /^\d+$/.test(month) ? 366 * DAY : undefined;
    if (!any(dayOfMonth)) return /^\d+$/.test(dayOfMonth) ? 31 * DAY : undefined;
    if (!any(dayOfWeek)) return dayOfWeek.split(",").length === 1 ? 7 * DAY : undefined;
    if (hours === "*") return HOUR;
    const step = /^(?:\*|0)\/(\d+)$/.exec(hours);
    if (step) return Number(step[1]) * HOUR;
    const list = hours.split(",").map(Number);
    if (list.some((h) => !Number.isInteger(h) || h < 0 || h > 23)) return undefined;
    const sorted = [...list].sort((a, b) => a - b);
    const gaps = sorted.map((h, i) => ((i + 1 < sorted.length ? sorted[i + 1]! : sorted[0]! + 24) - h) * HOUR);
    return Math.max(...gaps);
}

/** "15 min", "1 h", "7 d": how a duration in minutes is said in tables and messages. */
export function formatMinutes(minutes: number): string {
    if (minutes % DAY === 0) return `${minutes / DAY} d`;
    if (minutes % HOUR === 0) return `${minutes / HOUR} h`;
    return `${minutes} min`;
}

const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/**
 * A weekly AWS cron's six fields and its weekday (0 being Sunday), or undefined when it names no
 * single weekday (a name or 1-7, 1 being Sunday).
 */
export function weeklyCron(expression: string): { fields: string[]; weekday: number } | undefined {
    const fields = /^cron\((.+)\)$/.exec(expression.trim())?.[1]!.trim().split(/\s+/);
    if (!fields || fields.length !== 6 || fields[2] !== "?") return undefined;
    const day = fields[4]!.toUpperCase();
    const weekday = /^[1-7]$/.test(day) ? Number(day) - 1 : WEEKDAYS.indexOf(day);
    return weekday < 0 ? undefined : { fields, weekday };
}

/** A weekly AWS cron moved `days` later (`cron(0 3 ? * WED *)`, 1 -> THU), or undefined when it names no single weekday. */
export function shiftWeekday(expression: string, days: number): string | undefined {
    const weekly = weeklyCron(expression);
    if (!weekly) return undefined;
    const fields = [...weekly.fields];
    fields[4] = WEEKDAYS[(weekly.weekday + days) % 7]!;
    return `cron(${fields.join(" ")})`;
}
