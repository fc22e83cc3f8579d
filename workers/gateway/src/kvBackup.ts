/**
 * The scheduled KV backup: each namespace named in KV_BACKUP_BINDINGS exported to R2 as dated,
 * gzip-compressed JSON lines; exports older than the retention deleted. `npm run kv:restore`
 * reads these files.
 *
 * It scales with the namespace, not with the Worker's limits: keys are listed 1,000 at a time
 * and read 100 at a time with KV's bulk read (one operation each, of the 1,000 an invocation
 * may make), and the gzip stream goes to R2 in multipart parts as it is produced, so memory
 * holds one batch and one part whatever the namespace's size.
 */
import { EXPORT_FORMAT, type KvExportEntry, type KvExportHeader, type KvExportTrailer } from "./kvExportFormat";
import type { Env, Settings } from "./settings";

/** KV's bulk read takes at most 100 keys (developers.cloudflare.com/kv/api/read-key-value-pairs). */
const BULK_READ_KEYS = 100;
/** R2 multipart: every part but the last the same size, at least 5 MiB. */
const PART_BYTES = 8 * 1024 * 1024;
const DAY_MS = 86_400_000;

/** `kv-backups/STATE/2026-11-23T03-00-00Z.ndjson.gz`: the date is in the name, so pruning needs no metadata. */
function exportKey(prefix: string, binding: string, at: Date): string {
    return `${prefix}${binding}/${at
        .toISOString()
        .replace(/\.\d+Z$/, "Z")
        .replace(/:/g, "-")}.ndjson.gz`;
}

function exportDate(key: string): Date | undefined {
    const m = /\/(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})Z\.ndjson\.gz$/.exec(key);
    return m ? new Date(`${m[1]}T${m[2]}:${m[3]}:${m[4]}Z`) : undefined;
}

function base64(bytes: ArrayBuffer): string {
    let binary = "";
    const view = new Uint8Array(bytes);
    for (let i = 0; i < view.length; i += 0x8000) binary += String.fromCharCode(...view.subarray(i, i + 0x8000));
    return btoa(binary);
}

/** The namespace as lines of JSON, produced a page at a time as the consumer reads. */
function exportLines(kv: KVNamespace, header: KvExportHeader): ReadableStream<string> {
    let cursor: string | undefined;
    let started = false;
    let entries = 0;
    return new ReadableStream<string>({
        async pull(controller) {
            if (!started) {
                started = true;
                controller.enqueue(`${JSON.stringify(header)}\n`);
                return;
            }
            const page: KVNamespaceListResult<unknown, string> = await kv.list(cursor ? { cursor } : {});
            for (let i = 0; i < page.keys.length; i += BULK_READ_KEYS) {
                const keys = page.keys.slice(i, i + BULK_READ_KEYS);
                const values = await kv.get(
                    keys.map((k) => k.name),
                    "text",
                );
                let lines = "";
                for (const key of keys) {
                    const text = values.get(key.name);
                    if (text === null || text === undefined) continue; // deleted since the list
                    // The bulk read decodes as UTF-8; a replacement character may hide bytes that
                    // were not, so such a value is read again as bytes (rare: one operation each).
                    const raw = text.includes("\uFFFD") ? await kv.get(key.name, "arrayBuffer") : null;
                    const entry: KvExportEntry = {
                        key: key.name,
                        ...(raw ? { value: base64(raw), encoding: "base64" as const } : { value: text }),
                        ...(key.metadata !== undefined ? { metadata: key.metadata } : {}),
                        ...(key.expiration ? { expiration: key.expiration } : {}),
                    };
                    lines += `${JSON.stringify(entry)}\n`;
                    entries++;
                }
                if (lines) controller.enqueue(lines);
            }
            cursor = page.list_complete ? undefined : page.cursor;
            if (!cursor) {
                controller.enqueue(`${JSON.stringify({ complete: true, entries } satisfies KvExportTrailer)}\n`);
                controller.close();
            }
        },
    });
}

/** Streams `body` into R2 at `key` in equal parts as it arrives; aborts the upload on any failure. */
async function uploadInParts(bucket: R2Bucket, key: string, body: ReadableStream<Uint8Array>, binding: string): Promise<void> {
    const upload = await bucket.createMultipartUpload(key, {
        httpMetadata: { contentType: "application/x-ndjson", contentEncoding: "gzip" },
        customMetadata: { binding, format: EXPORT_FORMAT },
    });
    try {
        const parts: R2UploadedPart[] = [];
        let buffer = new Uint8Array(PART_BYTES);
        let filled = 0;
        const reader = body.getReader();
        for (let next = await reader.read(); !next.done; next = await reader.read()) {
            let chunk = next.value;
            while (chunk.byteLength > 0) {
                const taken = Math.min(chunk.byteLength, PART_BYTES - filled);
                buffer.set(chunk.subarray(0, taken), filled);
                filled += taken;
                chunk = chunk.subarray(taken);
                if (filled === PART_BYTES) {
                    parts.push(await upload.uploadPart(parts.length + 1, buffer));
                    buffer = new Uint8Array(PART_BYTES);
                    filled = 0;
                }
            }
        }
        if (filled > 0 || parts.length === 0) parts.push(await upload.uploadPart(parts.length + 1, buffer.subarray(0, filled)));
        await upload.complete(parts);
    } catch (error) {
        await upload.abort().catch(() => undefined);
        throw error;
    }
}

export async function exportNamespace(kv: KVNamespace, bucket: R2Bucket, key: string, binding: string, at: Date): Promise<void> {
    const gzipped = exportLines(kv, { format: EXPORT_FORMAT, binding, exportedAt: at.toISOString() })
        .pipeThrough(new TextEncoderStream())
        .pipeThrough(new CompressionStream("gzip"));
    await uploadInParts(bucket, key, gzipped, binding);
}

export async function backupKv(
    env: Env,
    settings: Settings["backup"],
    scheduledTime: number,
): Promise<{ exported: string[]; deleted: string[] }> {
    const at = new Date(scheduledTime);
    const exported: string[] = [];
    for (const binding of settings.bindings) {
        const key = exportKey(settings.prefix, binding, at);
        await exportNamespace(env[binding] as KVNamespace, env.BACKUPS, key, binding, at);
        exported.push(key);
    }
    const cutoff = scheduledTime - settings.retentionDays * DAY_MS;
    const deleted: string[] = [];
    let cursor: string | undefined;
    do {
        const page = await env.BACKUPS.list({ prefix: settings.prefix, ...(cursor ? { cursor } : {}) });
        for (const object of page.objects) {
            const date = exportDate(object.key);
            if (date && date.getTime() < cutoff) deleted.push(object.key);
        }
        cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
    if (deleted.length > 0) await env.BACKUPS.delete(deleted);
    return { exported, deleted };
}
