/**
 * The scheduled KV backup: every bound namespace exported to R2 as dated, gzip-compressed
 * JSON; exports older than the retention deleted. `npm run kv:restore` reads these files.
 */
import type { Env, Settings } from "./settings";

export interface KvExport {
    binding: string;
    exportedAt: string;
    entries: Array<{ key: string; value: string; metadata?: unknown; expiration?: number }>;
}

const DAY_MS = 86_400_000;

/** `kv-backups/CACHE/2026-11-23T03-00-00Z.json.gz`: the date is in the name, so pruning needs no metadata. */
export function exportKey(prefix: string, binding: string, at: Date): string {
    return `${prefix}${binding}/${at.toISOString().replace(/\.\d+Z$/, "Z").replace(/:/g, "-")}.json.gz`;
}

export function exportDate(key: string): Date | undefined {
    const m = /\/(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})Z\.json\.gz$/.exec(key);
    return m ? new Date(`${m[1]}T${m[2]}:${m[3]}:${m[4]}Z`) : undefined;
}

async function gzip(text: string): Promise<ArrayBuffer> {
    return new Response(new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer();
}

async function exportNamespace(kv: KVNamespace, binding: string, at: Date): Promise<KvExport> {
    const entries: KvExport["entries"] = [];
    let cursor: string | undefined;
    do {
        const page: KVNamespaceListResult<unknown, string> = await kv.list(cursor ? { cursor } : {});
        for (const key of page.keys) {
            const value = await kv.get(key.name);
            if (value === null) continue;
            entries.push({ key: key.name, value, ...(key.metadata !== undefined ? { metadata: key.metadata } : {}), ...(key.expiration ? { expiration: key.expiration } : {}) });
        }
        cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
    return { binding, exportedAt: at.toISOString(), entries };
}

export async function backupKv(env: Env, settings: Settings["backup"], scheduledTime: number): Promise<{ exported: string[]; deleted: string[] }> {
    const at = new Date(scheduledTime);
    const exported: string[] = [];
    for (const binding of settings.bindings) {
        const data = await exportNamespace(env[binding] as KVNamespace, binding, at);
        const key = exportKey(settings.prefix, binding, at);
        await env.BACKUPS.put(key, await gzip(JSON.stringify(data)), {
            httpMetadata: { contentType: "application/json", contentEncoding: "gzip" },
            customMetadata: { binding, entries: String(data.entries.length) },
        });
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
