/**
 * The KV export file, one JSON object per line, gzip-compressed: a header, one line per key,
 * a trailer. Written by kvBackup.ts in the Worker, read by tools/kvRestore.ts.
 */
/** The first line of an export. */
export interface KvExportHeader {
    format: typeof EXPORT_FORMAT;
    binding: string;
    exportedAt: string;
}

/** One line per key. A value that is not valid UTF-8 is kept as base64 so its bytes survive. */
export interface KvExportEntry {
    key: string;
    value: string;
    encoding?: "base64";
    metadata?: unknown;
    expiration?: number;
}

/** The last line: an export without it was cut short. */
export interface KvExportTrailer {
    complete: true;
    entries: number;
}

export const EXPORT_FORMAT = "ops-platform-kv-export/2";
