import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { toBulk } from "../../tools/kvRestore";
import { runTool } from "../helpers/cli";

const exported = {
    binding: "STATE",
    exportedAt: "2026-11-23T03:00:00.000Z",
    entries: [
        { key: "flags", value: "{}", metadata: { owner: "ops" } },
        { key: "session", value: "s", expiration: 4_000_000_000 },
        { key: "gone", value: "x", expiration: 1_000 },
    ],
};

it("turns an export into wrangler's bulk format, leaving out expired entries", () => {
    expect(toBulk(exported, 2_000_000_000)).toEqual([
        { key: "flags", value: "{}", metadata: { owner: "ops" } },
        { key: "session", value: "s", expiration: 4_000_000_000 },
    ]);
});

it("reads the gzip file the Worker writes and refuses anything else", () => {
    const dir = mkdtempSync(join(tmpdir(), "kv-restore-"));
    writeFileSync(join(dir, "export.json.gz"), gzipSync(JSON.stringify(exported)));
    const result = runTool("kvRestore", [join(dir, "export.json.gz"), "--out", join(dir, "bulk.json")]);
    expect(result.status).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "bulk.json"), "utf8")).map((e: { key: string }) => e.key)).toEqual(["flags", "session"]);
    writeFileSync(join(dir, "other.json"), '{"hello":1}');
    const bad = runTool("kvRestore", [join(dir, "other.json")]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("not a gateway KV export");
});
