/**
 * The Workers cron reader on Cloudflare's documented examples
 * (developers.cloudflare.com/workers/configuration/cron-triggers): weekdays count from Sunday = 1,
 * and `L`, `W` and `#` are read as Quartz reads them.
 */
import { workersCronLongestGapMinutes, workersCronProblem } from "../../config/workersCron";

const DAY = 1440;

it.each([
    ["* * * * *", 1],
    ["*/30 * * * *", 30],
    ["0 3 * * *", DAY],
    // 07:10 on weekdays: Friday to Monday is the longest wait.
    ["10 7 * * mon-fri", 3 * DAY],
    ["10 7 * * 2-6", 3 * DAY],
    ["0 17 * * sun", 7 * DAY],
    ["0 17 * * 1", 7 * DAY],
    // The first of the month: July to August and December to January are 31 days.
    ["0 15 1 * *", 31 * DAY],
])("%s waits at most %d minutes between runs", (cron, minutes) => {
    expect(workersCronLongestGapMinutes(cron)).toBe(minutes);
});

it("reads the last-Friday and last-weekday extensions", () => {
    // Last Friday (6L) and last weekday (LW) of each month: a gap of four or five weeks.
    expect(workersCronLongestGapMinutes("0 18 * * 6L") / DAY).toBeGreaterThanOrEqual(35);
    expect(workersCronLongestGapMinutes("59 23 LW * *") / DAY).toBeGreaterThan(30);
});

it("names what it cannot read", () => {
    expect(workersCronProblem("0 3 * * *")).toBeUndefined();
    expect(workersCronProblem("75 3 * * *")).toEqual(expect.any(String));
    expect(workersCronProblem("0 3 31 2 *")).toEqual(expect.any(String));
});
