// esbuild's output kept on disk with a digest of every file the build read: a tool run or a plan
// whose sources are unchanged reuses it instead of starting esbuild's Go service, which costs
// about 0.2 s of CPU each time (a test run starts dozens of tool processes).
"use strict";
const { createHash } = require("node:crypto");
const {
    existsSync,
    mkdirSync,
    readdirSync,
    readFileSync,
    renameSync,
    statSync,
    unlinkSync,
    utimesSync,
    writeFileSync,
} = require("node:fs");
const { dirname, join, resolve } = require("node:path");

/** Builds of temporary copies (tests bundle edited sources) each leave an entry: the least recently used go beyond this many. */
const MAX_ENTRIES = 64;
const DEFAULT_CACHE_DIR = () => join(dirname(require.resolve("esbuild/package.json")), "..", ".cache", "ops-platform-bundles");

const digest = (data) => createHash("sha256").update(data).digest("hex");
const fileDigest = (path) => (existsSync(path) ? digest(readFileSync(path)) : "missing");

/**
 * What `buildSync({ ...options, write: false })` writes as its one output file. The cache entry
 * is keyed by the options and esbuild's version, and is used only while every input the last
 * build read (the metafile's inputs) and every tsconfig.json that could apply to them (present or
 * not) are unchanged.
 * Entries live in node_modules/.cache unless `cache.dir` says otherwise.
 */
function cachedBuildSync(options, { dir: cacheDir = DEFAULT_CACHE_DIR(), maxEntries = MAX_ENTRIES } = {}) {
    // esbuild's API module loads only to build; its version is in its package.json.
    const { version } = require("esbuild/package.json");
    const workingDir = options.absWorkingDir ?? process.cwd();
    const file = join(cacheDir, `${digest(JSON.stringify({ esbuild: version, workingDir, options }))}.json`);
    const cached = readEntry(file);
    if (cached && Object.entries(cached.inputs).every(([path, hash]) => fileDigest(path) === hash)) {
        touch(file);
        return cached.text;
    }

    const result = require("esbuild").buildSync({ ...options, write: false, metafile: true });
    if (result.outputFiles.length !== 1) throw new Error(`expected one output file from esbuild, got ${result.outputFiles.length}`);
    const text = result.outputFiles[0].text;
    const sources = Object.keys(result.metafile.inputs).map((p) => resolve(workingDir, p));
    const inputs = [...sources, ...tsconfigsAbove(sources)];
    writeEntry(cacheDir, maxEntries, file, { inputs: Object.fromEntries(inputs.map((path) => [path, fileDigest(path)])), text });
    return text;
}

/** esbuild reads the nearest tsconfig.json of each file: every place one is or could appear above a source is an input too. */
function tsconfigsAbove(sources) {
    const dirs = new Set();
    for (const source of sources) {
        for (let dir = dirname(source); !dirs.has(dir); dir = dirname(dir)) {
            dirs.add(dir);
            if (dirname(dir) === dir) break;
        }
    }
    return [...dirs].map((dir) => join(dir, "tsconfig.json"));
}

function readEntry(file) {
    try {
        return JSON.parse(readFileSync(file, "utf8"));
    } catch {
        return undefined; // absent or torn: build again
    }
}

/** Written under a temporary name and renamed, so processes building the same entry at once never read half a file. */
function writeEntry(cacheDir, maxEntries, file, entry) {
    try {
        mkdirSync(cacheDir, { recursive: true });
        const partial = `${file}.${process.pid}.tmp`;
        writeFileSync(partial, JSON.stringify(entry));
        renameSync(partial, file);
        prune(cacheDir, maxEntries);
    } catch {
        // A read-only checkout still runs, building every time.
    }
}

function touch(file) {
    try {
        const now = new Date();
        utimesSync(file, now, now);
    } catch {
        // Only the pruning order suffers.
    }
}

function prune(cacheDir, maxEntries) {
    const entries = readdirSync(cacheDir).filter((name) => name.endsWith(".json"));
    if (entries.length <= maxEntries) return;
    const byAge = entries
        .map((name) => ({ path: join(cacheDir, name), used: statSync(join(cacheDir, name)).mtimeMs }))
        .sort((a, b) => a.used - b.used);
    for (const { path } of byAge.slice(0, entries.length - maxEntries)) unlinkSync(path);
}

module.exports = { cachedBuildSync };
