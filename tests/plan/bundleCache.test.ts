/** The on-disk bundle cache behind `npm run plan`/`audit` and the Worker bundle: reused only while nothing it read changed. */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cachedBuildSync } from "../../tools/bin/bundleCache.cjs";
import { scratchDir } from "../helpers/scratch";

const project = scratchDir("bundle-cache-src");
const cacheDir = scratchDir("bundle-cache");
const entry = join(project, "main.ts");
const options = { entryPoints: [entry], bundle: true, platform: "node" as const, format: "cjs" as const, logLevel: "silent" as const };
const onlyEntry = () =>
    join(
        cacheDir,
        readdirSync(cacheDir).find((f) => f.endsWith(".json"))!,
    );
/** Marks the cached text, so a result carrying the mark came from the cache. */
const markCached = () => {
    const file = onlyEntry();
    const cached = JSON.parse(readFileSync(file, "utf8")) as { text: string };
    writeFileSync(file, JSON.stringify({ ...cached, text: `${cached.text}//from-cache` }));
};

beforeAll(() => {
    writeFileSync(entry, 'import { answer } from "./answer";\nconsole.log(answer);\n');
    writeFileSync(join(project, "answer.ts"), "export const answer: number = 41;\n");
    writeFileSync(join(project, "tsconfig.json"), "{}\n");
});

it("builds what esbuild builds, then reuses it while every input is unchanged", () => {
    expect(cachedBuildSync(options, { dir: cacheDir })).toContain("41");
    markCached();
    expect(cachedBuildSync(options, { dir: cacheDir })).toContain("//from-cache");
});

it("builds again when an imported file changes", () => {
    markCached();
    writeFileSync(join(project, "answer.ts"), "export const answer: number = 42;\n");
    const text = cachedBuildSync(options, { dir: cacheDir });
    expect(text).toContain("42");
    expect(text).not.toContain("//from-cache");
});

it("builds again when the tsconfig.json esbuild reads changes", () => {
    markCached();
    writeFileSync(join(project, "tsconfig.json"), '{ "compilerOptions": { "useDefineForClassFields": false } }\n');
    expect(cachedBuildSync(options, { dir: cacheDir })).not.toContain("//from-cache");
});

it("builds again when a tsconfig.json appears beside an imported file in another directory", () => {
    const root = scratchDir("bundle-cache-nested");
    mkdirSync(join(root, "lib"));
    writeFileSync(join(root, "main.ts"), 'import { value } from "./lib/value";\nconsole.log(value);\n');
    writeFileSync(join(root, "lib", "value.ts"), "export const value = 7;\n");
    const nested = { ...options, entryPoints: [join(root, "main.ts")] };
    const cache = { dir: scratchDir("bundle-cache-nested-cache") };
    const first = cachedBuildSync(nested, cache);
    writeFileSync(join(root, "lib", "tsconfig.json"), '{ "compilerOptions": { "target": "es5" } }\n');
    const file = join(cache.dir, readdirSync(cache.dir)[0]!);
    writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, "utf8")) as object), text: `${first}//from-cache` }));
    expect(cachedBuildSync(nested, cache)).not.toContain("//from-cache");
});

it("keys entries by the options: other options never get this bundle", () => {
    markCached();
    const minified = cachedBuildSync({ ...options, minify: true }, { dir: cacheDir });
    expect(minified).not.toContain("//from-cache");
    expect(readdirSync(cacheDir).filter((f) => f.endsWith(".json"))).toHaveLength(2);
});

it("builds again over a torn cache entry", () => {
    const torn = scratchDir("bundle-cache-torn");
    cachedBuildSync(options, { dir: torn });
    const file = join(torn, readdirSync(torn)[0]!);
    writeFileSync(file, readFileSync(file, "utf8").slice(0, 20));
    expect(cachedBuildSync(options, { dir: torn })).toContain("42");
});

it("keeps the most recently used entries, up to its bound (64 unless told)", () => {
    const dir = scratchDir("bundle-cache-bounded");
    const cache = { dir, maxEntries: 3 };
    const used = cachedBuildSync(options, cache);
    for (let i = 0; i < 3; i++) {
        cachedBuildSync({ ...options, banner: { js: `// variant ${i}` } }, cache);
        if (i === 1) cachedBuildSync(options, cache); // used again: it stays
    }
    const kept = readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as { text: string });
    expect(kept).toHaveLength(3);
    expect(kept.some((entry) => entry.text === used)).toBe(true);
});
