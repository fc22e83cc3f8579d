/**
 * The gateway's own signals, written to Workers Analytics Engine (binding ANALYTICS): one data
 * point per chat request, one per provider attempt and one per KV export run, in the columns analyticsColumns.ts
 * lays out. Cloudflare's analytics cannot know them (cache hits, failovers, circuits, the
 * provider's wait); json_exporter reads them back into Prometheus through the SQL API
 * (components/monitoring/gatewayAnalyticsExporter.ts).
 */
import { dataPoint } from "./analyticsColumns";

export interface AnalyticsSink {
    writeDataPoint(point: { blobs?: string[]; doubles?: number[]; indexes?: string[] }): void;
}

export type AttemptOutcome = "ok" | "failed" | "circuit_open" | "busy" | "skipped";

export interface RequestSummary {
    /** The Worker version that answered (its version metadata id). */
    version: string;
    status: number;
    cache: "HIT" | "MISS" | "SHARED" | "BYPASS" | "NONE";
    provider?: string;
    durationMs: number;
    attempts: Array<{ provider: string; outcome: AttemptOutcome; ms: number }>;
    /** A shared answer's wait on the first caller's attempts: the provider's time here, while the attempts are that caller's points only. */
    sharedWaitMs?: number;
}

/** A KV export run: done, failed part way, or skipped because the gateway is misconfigured. */
export interface KvExportRun {
    version: string;
    outcome: "ok" | "failed" | "skipped";
    ms: number;
    exported: number;
    deleted: number;
}

/** An invocation may write at most 25 data points; a request writes 1 + one per provider. */
const MAX_POINTS = 25;

export function dataPoints(summary: RequestSummary): Array<{ blobs: string[]; doubles: number[]; indexes: string[] }> {
    const attempts = summary.sharedWaitMs === undefined ? summary.attempts : [];
    const upstreamMs = summary.sharedWaitMs ?? attempts.reduce((total, a) => total + a.ms, 0);
    const statusClass = `${Math.floor(summary.status / 100)}xx`;
    return [
        dataPoint(
            "request",
            { statusClass, cache: summary.cache, provider: summary.provider ?? "none", version: summary.version },
            { durationMs: summary.durationMs, providerWaitMs: upstreamMs },
        ),
        ...attempts.map((a) => dataPoint("attempt", { provider: a.provider, outcome: a.outcome, version: summary.version }, { ms: a.ms })),
    ].slice(0, MAX_POINTS);
}

/** Writes points; analytics never fails a request or a run. */
function write(sink: AnalyticsSink | undefined, points: Array<{ blobs: string[]; doubles: number[]; indexes: string[] }>): void {
    if (!sink) return;
    try {
        for (const point of points) sink.writeDataPoint(point);
    } catch (error) {
        console.warn("analytics write failed", error);
    }
}

export function record(sink: AnalyticsSink | undefined, summary: RequestSummary): void {
    write(sink, dataPoints(summary));
}

/** What one answer spent: the provider's token counts, priced at the served model's price (undefined when it has none). */
export interface AnswerUsage {
    version: string;
    client: string;
    provider: string;
    model: string;
    promptTokens: number;
    completionTokens: number;
    costUsd: number | undefined;
}

export function recordUsage(sink: AnalyticsSink | undefined, usage: AnswerUsage): void {
    write(sink, [
        dataPoint(
            "usage",
            {
                client: usage.client,
                provider: usage.provider,
                model: usage.model,
                priced: usage.costUsd === undefined ? "no" : "yes",
                version: usage.version,
            },
            { promptTokens: usage.promptTokens, completionTokens: usage.completionTokens, costUsd: usage.costUsd ?? 0 },
        ),
    ]);
}

export function recordKvExport(sink: AnalyticsSink | undefined, run: KvExportRun): void {
    write(sink, [
        dataPoint("kvExport", { outcome: run.outcome, version: run.version }, { ms: run.ms, exported: run.exported, deleted: run.deleted }),
    ]);
}
