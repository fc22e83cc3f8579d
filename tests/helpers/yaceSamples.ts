/**
 * What Prometheus keeps of a CloudWatch metric YACE reads, minute by minute, from the datapoints
 * CloudWatch holds (undefined: no datapoint that minute) and the job's settings. A port of
 * YACE v0.67.0 (the pinned chart's appVersion): pkg/promutil/migrate.go BuildMetrics over
 * GetMetricData's datapoints newest first (pkg/clients/cloudwatch/client.go, ScanBy
 * TimestampDescending), one poll a minute (YACE_POLL_SECONDS). A sample sent again at the same
 * time is the same sample to Prometheus. Returns promtool's input_series values, one a minute.
 */
import { YACE_POLL_SECONDS } from "../../components/monitoring/exporterConfigs";

interface JobSettings {
    period: number;
    length: number;
    nilToZero?: boolean;
    addCloudwatchTimestamp?: boolean;
    exportAllDataPoints?: boolean;
}

export function yaceStored(minutes: Array<number | undefined>, job: JobSettings): string {
    if (job.period !== 60 || YACE_POLL_SECONDS !== 60) throw new Error("the model covers 1-minute periods polled once a minute");
    const span = job.length / job.period;
    const stored = new Map<number, number>();
    for (let poll = 0; poll < minutes.length; poll++) {
        // The datapoints of the request's window, newest first.
        const window = Array.from({ length: span }, (_, i) => poll - i).filter((m) => m >= 0 && minutes[m] !== undefined);
        if (job.addCloudwatchTimestamp) {
            // Each at its CloudWatch minute; nothing at all when the window has none.
            for (const m of job.exportAllDataPoints ? window : window.slice(0, 1)) stored.set(m, minutes[m]!);
        } else {
            // The newest datapoint, at the poll's time; NaN (or 0) when the window has none.
            stored.set(poll, window.length > 0 ? minutes[window[0]!]! : job.nilToZero ? 0 : NaN);
        }
    }
    return minutes.map((_, m) => (stored.has(m) ? String(stored.get(m)) : "_")).join(" ");
}
