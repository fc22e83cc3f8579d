/**
 * `npm run kv:restore -- <export.json.gz> [--out bulk.json]`
 *
 * Turns one of the gateway's KV exports (R2: kv-backups/<BINDING>/<date>.json.gz) into the
 * bulk file `wrangler kv bulk put` loads, so a namespace is restored with the steps in the
 * README. Expired entries are left out: KV would refuse them.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { EXIT_USAGE, UsageError, parseArgs } from "./plan/cli";

export interface BulkEntry {
    key: string;
    value: string;
    expiration?: number;
    metadata?: unknown;
}

interface KvExport {
    binding: string;
    exportedAt: string;
    entries: Array<{ key: string; value: string; metadata?: unknown; expiration?: number }>;
}

export function toBulk(exported: KvExport, nowSeconds = Math.floor(Date.now() / 1000)): BulkEntry[] {
    if (!exported || !Array.isArray(exported.entries)) throw new UsageError("not a gateway KV export: no entries list");
    return exported.entries
        .filter((e) => e.expiration === undefined || e.expiration > nowSeconds + 60)
        .map((e) => ({ key: e.key, value: e.value, ...(e.expiration !== undefined ? { expiration: e.expiration } : {}), ...(e.metadata !== undefined ? { metadata: e.metadata } : {}) }));
}

export function readExport(path: string): KvExport {
    const raw = readFileSync(path);
    const text = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw).toString("utf8") : raw.toString("utf8");
    return JSON.parse(text) as KvExport;
}

if (require.main === module) {
    try {
        const { positional, flags } = parseArgs(process.argv.slice(2), ["out"]);
        if (positional.length !== 1) throw new UsageError("usage: npm run kv:restore -- <export.json.gz> [--out bulk.json]");
        const exported = readExport(positional[0]!);
        const bulk = toBulk(exported);
        const text = `${JSON.stringify(bulk, null, 2)}\n`;
        if (flags["out"]) {
            writeFileSync(flags["out"], text);
            process.stderr.write(`${bulk.length} of ${exported.entries.length} entries of ${exported.binding} (exported ${exported.exportedAt}) -> ${flags["out"]}\n`);
        } else process.stdout.write(text);
    } catch (error) {
        process.stderr.write(`${(error as Error).message}\n`);
        process.exit(EXIT_USAGE);
    }
}
