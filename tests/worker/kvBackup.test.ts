/**
 * The KV export at scale in workerd (real KV and R2 through miniflare), counted operation by
 * operation, and its round trip through `npm run kv:restore`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { gunzipSync, gzipSync } from "node:zlib";
import type { Miniflare } from "miniflare";
import { REPO_ROOT } from "../../config/repoRoot";
import { gatewayInWorkerd } from "../../tools/gatewayWorkerd";
import { convert } from "../../tools/kvRestore";
import { runTool } from "../helpers/cli";
import { scratchDir } from "../helpers/scratch";

const HARNESS = join(REPO_ROOT, "workers", "gateway", "test", "kvExportHarness.ts");
const BINARY = Uint8Array.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0x41]);
const scratch = scratchDir("kv-export");

async function exportWith(mf: Miniflare, name: string, query = ""): Promise<{ counts: { kv: number; r2: number }; file: string }> {
    const counts = (await (await mf.dispatchFetch(`https://harness.test/export?key=${name}${query}`)).json()) as { kv: number; r2: number };
    const object = await (await mf.getR2Bucket("BACKUPS")).get(name);
    const file = join(scratch, name);
    writeFileSync(file, Buffer.from(await object!.arrayBuffer()));
    return { counts, file };
}

const lines = (file: string) =>
    gunzipSync(readFileSync(file))
        .toString("utf8")
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("KV export", () => {
    let mf: Miniflare;
    beforeAll(async () => {
        mf = gatewayInWorkerd({}, HARNESS);
        await mf.ready;
    });
    afterAll(() => mf.dispose());

    it("exports workerd's real KV with bulk reads across list pages, keeping bytes that are not UTF-8", async () => {
        await mf.dispatchFetch("https://harness.test/seed?count=1100&bytes=16");
        const state = await mf.getKVNamespace("STATE");
        await state.put("binary", BINARY.buffer as ArrayBuffer, { metadata: { kind: "bytes" } });
        await state.put("text-with-replacement-char", "caf\uFFFD");
        const { counts, file } = await exportWith(mf, "real.ndjson.gz");
        // 2 lists, 12 bulk reads, 2 single reads of the values that may not be UTF-8.
        expect(counts.kv).toBe(16);
        const exported = lines(file);
        expect(exported[0]).toEqual({ format: "ops-platform-kv-export/2", binding: "STATE", exportedAt: "2026-11-23T03:00:00.000Z" });
        expect(exported.at(-1)).toEqual({ complete: true, entries: 1102 });
        expect(exported.find((e) => e["key"] === "binary")).toEqual({
            key: "binary",
            value: Buffer.from(BINARY).toString("base64"),
            encoding: "base64",
            metadata: { kind: "bytes" },
        });
        expect(exported.find((e) => e["key"] === "text-with-replacement-char")).toEqual({
            key: "text-with-replacement-char",
            value: Buffer.from("caf\uFFFD").toString("base64"),
            encoding: "base64",
        });
    });

    it("exports 5,000 keys with at most 1,000 operations: bulk reads of 100, lists of 1,000", async () => {
        const { counts, file } = await exportWith(mf, "5k.ndjson.gz", "&generate=5000&bytes=64");
        expect(counts.kv).toBe(55); // 5 lists + 50 bulk reads
        expect(counts.kv + counts.r2).toBeLessThanOrEqual(1000);
        expect(lines(file).at(-1)).toEqual({ complete: true, entries: 5000 });
    });

    it("streams 50,000 keys (15 MB) to R2 in multipart parts, within the operation limit, and restores them", async () => {
        // Generated namespaces (above, and the 5,000 keys) have KV's paging and bulk-read limits;
        // writing that many keys into miniflare's KV first would take minutes. R2 is real.
        const { counts, file } = await exportWith(mf, "large.ndjson.gz", "&generate=50000&bytes=300");
        expect(counts.kv).toBe(550); // 50 lists + 500 bulk reads
        // create + parts + complete: more than one part means the gzip went out as it was made.
        expect(counts.r2).toBeGreaterThan(3);
        expect(counts.kv + counts.r2).toBeLessThanOrEqual(1000);
        const out = join(scratch, "large-bulk.json");
        const restored = runTool("kvRestore", [file, "--out", out]);
        expect([restored.status, restored.stderr.trim()]).toEqual([
            0,
            `50000 of 50000 entries of STATE (exported 2026-11-23T03:00:00.000Z) -> ${out}`,
        ]);
        const bulk = JSON.parse(readFileSync(out, "utf8")) as Array<{ key: string; value: string }>;
        expect(bulk).toHaveLength(50000);
        expect(bulk[49999]!.key).toBe("key-049999");
        expect(bulk[0]!.value).toHaveLength(300);
    });
});

describe("kv:restore", () => {
    const exportOf = (entries: unknown[], trailer: unknown = { complete: true, entries: entries.length }) =>
        [
            { format: "ops-platform-kv-export/2", binding: "STATE", exportedAt: "2026-11-23T03:00:00.000Z" },
            ...entries,
            ...(trailer ? [trailer] : []),
        ]
            .map((l) => JSON.stringify(l))
            .join("\n") + "\n";
    const run = async (text: string) => {
        let out = "";
        const summary = await convert(
            Readable.from([text]),
            new Writable({ write: (chunk, _, done) => ((out += chunk), done()) }),
            2_000_000_000,
        );
        return { summary, bulk: JSON.parse(out) as unknown[] };
    };

    it("turns an export into wrangler's bulk format: bytes as base64, expired entries left out", async () => {
        const { bulk, summary } = await run(
            exportOf([
                { key: "flags", value: "{}", metadata: { owner: "ops" } },
                { key: "bytes", value: "//4AgMMoQQ==", encoding: "base64" },
                { key: "session", value: "s", expiration: 4_000_000_000 },
                { key: "gone", value: "x", expiration: 1_000 },
            ]),
        );
        expect(bulk).toEqual([
            { key: "flags", value: "{}", metadata: { owner: "ops" } },
            { key: "bytes", value: "//4AgMMoQQ==", base64: true },
            { key: "session", value: "s", expiration: 4_000_000_000 },
        ]);
        expect(summary).toEqual({ binding: "STATE", exportedAt: "2026-11-23T03:00:00.000Z", entries: 4, written: 3 });
    });

    it.each([
        ["a file that is not an export", '{"hello":1}\n', "not a gateway KV export"],
        ["an export cut short (no trailer)", exportOf([{ key: "a", value: "1" }], null), "cut short"],
        [
            "an export missing entries",
            exportOf([{ key: "a", value: "1" }], { complete: true, entries: 2 }),
            "says it has 2 entries but holds 1",
        ],
    ])("refuses %s", async (_, text, message) => {
        await expect(run(text)).rejects.toThrow(message);
    });

    it("reads the gzip file from the command line and exits 2 on a bad one", () => {
        const good = join(scratch, "cli.ndjson.gz");
        writeFileSync(good, gzipSync(exportOf([{ key: "a", value: "1" }])));
        const result = runTool("kvRestore", [good]);
        expect([result.status, JSON.parse(result.stdout)]).toEqual([0, [{ key: "a", value: "1" }]]);
        const bad = join(scratch, "bad.json");
        writeFileSync(bad, '{"hello":1}');
        const refused = runTool("kvRestore", [bad]);
        expect([refused.status, refused.stderr.trim()]).toEqual([
            2,
            "not a gateway KV export: expected a first line with format ops-platform-kv-export/2",
        ]);
    });
});
