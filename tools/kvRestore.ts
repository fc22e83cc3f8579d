/**
 * `npm run kv:restore -- <export.ndjson.gz> [--out bulk.json]`
 *
 * Turns one of the gateway's KV exports (R2: kv-backups/<BINDING>/<date>.ndjson.gz) into the
 * JSON file `wrangler kv bulk put` loads, so a namespace is restored with the steps in the
 * README. Values exported as base64 (not valid UTF-8) keep their bytes (`"base64": true`).
 * Expired entries are left out: KV would refuse them. The file is read and written as a
 * stream, so memory stays flat for any size; an export cut short (no trailer) is refused.
 */
import { closeSync, createReadStream, createWriteStream, openSync, readSync } from "node:fs";
import { once } from "node:events";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { createGunzip } from "node:zlib";
import { EXPORT_FORMAT, type KvExportEntry, type KvExportHeader, type KvExportTrailer } from "../workers/gateway/src/kvExportFormat";
import { EXIT_USAGE, UsageError, parseArgs, wantsHelp } from "./plan/cli";

const USAGE = "usage: npm run kv:restore -- <export.ndjson.gz> [--out bulk.json]";
const HELP = `${USAGE}

Turns a KV export from R2 (kv-backups/<BINDING>/<date>.ndjson.gz) into the file
\`wrangler kv bulk put\` loads; an export cut short (no trailer) is refused.

  --out FILE   write the bulk file to FILE (default: standard output)
  -h, --help   this text`;

/** One entry of wrangler's bulk file (developers.cloudflare.com/kv/reference/kv-commands/#kv-bulk-put). */
interface BulkEntry {
    key: string;
    value: string;
    base64?: boolean;
    expiration?: number;
    metadata?: unknown;
}

function toBulkEntry(entry: KvExportEntry, nowSeconds: number): BulkEntry | undefined {
    if (entry.expiration !== undefined && entry.expiration <= nowSeconds + 60) return undefined;
    return {
        key: entry.key,
        value: entry.value,
        ...(entry.encoding === "base64" ? { base64: true } : {}),
        ...(entry.expiration !== undefined ? { expiration: entry.expiration } : {}),
        ...(entry.metadata !== undefined ? { metadata: entry.metadata } : {}),
    };
}

export interface RestoreSummary {
    binding: string;
    exportedAt: string;
    entries: number;
    written: number;
}

/** Streams an export (gzip or plain NDJSON) into a bulk file. */
export async function convert(input: Readable, output: Writable, nowSeconds = Math.floor(Date.now() / 1000)): Promise<RestoreSummary> {
    const lines = createInterface({ input, crlfDelay: Infinity });
    let header: KvExportHeader | undefined;
    let trailer: KvExportTrailer | undefined;
    let entries = 0;
    let written = 0;
    const write = async (text: string) => {
        if (!output.write(text)) await once(output, "drain");
    };
    for await (const line of lines) {
        if (line === "") continue;
        let parsed: Record<string, unknown>;
        try {
            parsed = JSON.parse(line) as Record<string, unknown>;
        } catch {
            throw new UsageError(`not a gateway KV export: line ${entries + 2} is not JSON`);
        }
        if (!header) {
            if (parsed["format"] !== EXPORT_FORMAT)
                throw new UsageError(`not a gateway KV export: expected a first line with format ${EXPORT_FORMAT}`);
            header = parsed as unknown as KvExportHeader;
            await write("[\n");
            continue;
        }
        if (trailer) throw new UsageError("not a gateway KV export: lines after its trailer");
        if (parsed["complete"] === true) {
            trailer = parsed as unknown as KvExportTrailer;
            continue;
        }
        entries++;
        const bulk = toBulkEntry(parsed as unknown as KvExportEntry, nowSeconds);
        if (bulk) await write(`${written++ === 0 ? "" : ",\n"}${JSON.stringify(bulk)}`);
    }
    if (!header) throw new UsageError("not a gateway KV export: it is empty");
    if (!trailer)
        throw new UsageError(
            `the export of ${header.binding} is cut short: it has no trailer line, so keys may be missing; use an older export`,
        );
    if (trailer.entries !== entries)
        throw new UsageError(`the export of ${header.binding} says it has ${trailer.entries} entries but holds ${entries}`);
    await write("\n]\n");
    return { binding: header.binding, exportedAt: header.exportedAt, entries, written };
}

function open(path: string): Readable {
    const magic = Buffer.alloc(2);
    const fd = openSync(path, "r");
    readSync(fd, magic, 0, 2, 0);
    closeSync(fd);
    const file = createReadStream(path);
    return magic[0] === 0x1f && magic[1] === 0x8b ? file.pipe(createGunzip()) : file;
}

async function main(): Promise<void> {
    if (wantsHelp(process.argv.slice(2))) {
        process.stdout.write(`${HELP}\n`);
        return;
    }
    const { positional, flags } = parseArgs(process.argv.slice(2), ["out"]);
    if (positional.length !== 1) throw new UsageError(USAGE);
    const output = flags["out"] ? createWriteStream(flags["out"]) : process.stdout;
    const summary = await convert(open(positional[0]!), output);
    if (flags["out"]) {
        output.end();
        await once(output, "finish");
    }
    process.stderr.write(
        `${summary.written} of ${summary.entries} entries of ${summary.binding} (exported ${summary.exportedAt})${flags["out"] ? ` -> ${flags["out"]}` : ""}\n`,
    );
}

if (require.main === module) {
    main().catch((error: unknown) => {
        process.stderr.write(`${(error as Error).message}\n`);
        process.exit(EXIT_USAGE);
    });
}
