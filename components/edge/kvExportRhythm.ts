/**
 * How late the scheduled KV export may be before someone must look: its cron's longest gap
 * plus a grace, read by the config rules (the gap must fit the export's retention) and by the
 * monitoring stack (the staleness alert and the window its query reads).
 */
import { workersCronLongestGapMinutes } from "../../config/workersCron";

/** Analytics Engine keeps data points three months (developers.cloudflare.com/analytics/analytics-engine/limits). */
export const ANALYTICS_RETENTION_DAYS = 90;
/** A run's own minutes, its data point reaching the SQL API, and json_exporter's next scrape, with room to spare. */
export const KV_EXPORT_GRACE_MINUTES = 60;

/** Minutes after a successful run at which no newer one means the export has stopped. */
export function kvExportStaleAfterMinutes(cron: string): number {
    return workersCronLongestGapMinutes(cron) + KV_EXPORT_GRACE_MINUTES;
}

/** Whole days the newest-success query reads: the stale threshold and a day more, so a stopped export is still seen. */
export function kvExportWindowDays(cron: string): number {
    return Math.ceil(kvExportStaleAfterMinutes(cron) / 1440) + 1;
}
