/**
 * The gateway's Analytics Engine data points, column by column: the Worker writes them in this
 * order (analytics.ts) and the exporter's SQL names them from here
 * (components/monitoring/exporterConfigs.ts), so neither counts positions. Each point's first
 * blob, and its index, is its kind; its last is the Worker version that wrote it (the canary's
 * verdict compares versions: tools/canary.ts). A new column goes last: the points already
 * written keep their layout for the months Analytics Engine keeps them.
 */
export const DATA_POINTS = {
    /** One per chat request, refusals included. */
    request: { blobs: ["kind", "statusClass", "cache", "provider", "version"], doubles: ["durationMs", "providerWaitMs"] },
    /** One per provider tried or skipped. */
    attempt: { blobs: ["kind", "provider", "outcome", "version"], doubles: ["ms"] },
    /** One per answer a provider served (not a cache hit, nor a shared answer): what it spent. `priced` is yes or no (modelPrices.ts). */
    usage: {
        blobs: ["kind", "client", "provider", "model", "priced", "version"],
        doubles: ["promptTokens", "completionTokens", "costUsd"],
    },
    /** One per scheduled KV export run, a skipped one included. */
    kvExport: { blobs: ["kind", "outcome", "version"], doubles: ["ms", "exported", "deleted"] },
} as const;

type Points = typeof DATA_POINTS;
export type PointKind = keyof Points;
type BlobName<K extends PointKind> = Exclude<Points[K]["blobs"][number], "kind">;
type DoubleName<K extends PointKind> = Points[K]["doubles"][number];

/** The SQL column holding `name` in points of `kind`: `blob3`, `double1`. */
export function column<K extends PointKind>(kind: K, name: BlobName<K> | DoubleName<K> | "kind"): string {
    const blob = (DATA_POINTS[kind].blobs as readonly string[]).indexOf(name);
    if (blob >= 0) return `blob${blob + 1}`;
    return `double${(DATA_POINTS[kind].doubles as readonly string[]).indexOf(name) + 1}`;
}

/** A data point of `kind` with its values in the columns' order. */
export function dataPoint<K extends PointKind>(
    kind: K,
    blobs: Record<BlobName<K>, string>,
    doubles: Record<DoubleName<K>, number>,
): { indexes: string[]; blobs: string[]; doubles: number[] } {
    const { blobs: blobNames, doubles: doubleNames } = DATA_POINTS[kind];
    return {
        indexes: [kind],
        blobs: (blobNames as readonly string[]).map((name) => (name === "kind" ? kind : (blobs as Record<string, string>)[name]!)),
        doubles: (doubleNames as readonly string[]).map((name) => (doubles as Record<string, number>)[name]!),
    };
}
