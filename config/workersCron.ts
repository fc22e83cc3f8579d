/**
 * Reading a Workers cron trigger (five fields, UTC, Quartz-style extensions: weekdays 1-7 with
 * Sunday 1, `L`, `W`, `#`; developers.cloudflare.com/workers/configuration/cron-triggers) with
 * croner, so that what depends on a schedule's rhythm (the KV export's retention check, its
 * staleness alert) reads it from the schedule itself.
 */
import { Cron } from "croner";

/** Runs enumerated at most: a schedule that runs more often has short gaps, and enumerating each minute of a year costs seconds. */
const MAX_RUNS = 500;
/** Over more than a year, so a yearly or monthly schedule shows its gap. */
const HORIZON_DAYS = 400;
/** A schedule that names no day of the month, no month and no nth or last weekday repeats every week: two weeks show every gap. */
const WEEKLY_HORIZON_DAYS = 15;
/** A fixed start keeps the answer the same on every run of the plan. */
const FROM = new Date("2027-01-01T00:00:00Z");

function parse(cron: string): Cron {
    return new Cron(cron.trim(), { timezone: "UTC", mode: "5-part", alternativeWeekdays: true });
}

/** Why croner refuses `cron`, or undefined when it reads it. */
export function workersCronProblem(cron: string): string | undefined {
    try {
        return parse(cron).nextRun(FROM) ? undefined : "it never runs";
    } catch (error) {
        return (error as Error).message;
    }
}

/**
 * The longest wait, in minutes, between two runs of a Workers cron, over its first
 * MAX_RUNS runs or HORIZON_DAYS days. Throws on an expression croner cannot read (check it
 * with workersCronProblem first).
 */
export function workersCronLongestGapMinutes(cron: string): number {
    let gap = longestGaps.get(cron);
    if (gap === undefined) longestGaps.set(cron, (gap = longestGap(cron)));
    return gap;
}

/** The config check, the alert and its query all ask; enumerating runs costs milliseconds each time. */
const longestGaps = new Map<string, number>();

function longestGap(cron: string): number {
    const schedule = parse(cron);
    const [, , dayOfMonth, month, weekday = ""] = cron.trim().split(/\s+/);
    const weekly = dayOfMonth === "*" && month === "*" && !/[L#]/i.test(weekday);
    const end = FROM.getTime() + (weekly ? WEEKLY_HORIZON_DAYS : HORIZON_DAYS) * 86_400_000;
    let previous = schedule.nextRun(FROM);
    let longest = 0;
    for (let runs = 0; previous && previous.getTime() < end && runs < MAX_RUNS; runs++) {
        const next = schedule.nextRun(previous);
        if (!next) break;
        longest = Math.max(longest, next.getTime() - previous.getTime());
        previous = next;
    }
    return longest / 60_000;
}
