/**
 * The README's layout table and CONTRIBUTING.md name files that exist, and the table covers the
 * whole tree: a moved or added area without its row fails here.
 */
import { existsSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./helpers/cli";

/** `components/{aws,cloudflare}.ts` -> both paths. */
const expand = (path: string): string[] => {
    const m = /\{([^}]+)\}/.exec(path);
    return m ? m[1]!.split(",").flatMap((part) => expand(path.replace(m[0], part))) : [path];
};

const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const layout = readme.slice(readme.indexOf("## Layout"), readme.indexOf("\n## ", readme.indexOf("## Layout") + 1));
const rows = [...layout.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!);

/** Root files every Node and Pulumi project has, which need no row of their own. */
const PROJECT_FILES = new Set([
    ".ci",
    ".github",
    ".gitignore",
    ".npmrc",
    ".prettierignore",
    ".prettierrc.json",
    "README.md",
    "Pulumi.yaml",
    "Pulumi.dev.yaml",
    "Pulumi.staging.yaml",
    "Pulumi.production.yaml",
    "jest.config.js",
    "package.json",
    "package-lock.json",
    "tsconfig.json",
]);

it("names in its layout table only paths that exist", () => {
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.flatMap(expand).filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
});

it("has a layout row for every top-level entry of the tree", () => {
    const tracked = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" })
        .split("\n")
        .filter(Boolean);
    const topLevel = [...new Set(tracked.map((f) => f.split("/")[0]!))];
    const covered = new Set(rows.flatMap(expand).map((p) => p.replace(/\/$/, "").split("/")[0]!));
    expect(topLevel.filter((entry) => !covered.has(entry) && !PROJECT_FILES.has(entry)).sort()).toEqual([]);
});

it("CONTRIBUTING.md names only files that exist", () => {
    const text = readFileSync(join(ROOT, "CONTRIBUTING.md"), "utf8");
    const paths = [...text.matchAll(/`([\w.{},-]+(?:\/[\w.{},<>-]+)+)`/g)].map((m) => m[1]!).filter((p) => !p.includes("<"));
    expect(paths.length).toBeGreaterThan(10);
    expect(paths.flatMap(expand).filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
});

describe("docs/provider-rules.md", () => {
    const text = readFileSync(join(ROOT, "docs", "provider-rules.md"), "utf8");
    const rows = text
        .split("\n")
        .filter((line) => line.startsWith("| ") && !line.startsWith("| rule |"))
        .map((line) => line.slice(2, -2).split(" | "));
    const ABBREVIATIONS: Record<string, string> = {
        PR: "tests/providerRules.test.ts",
        SA: "tests/sharedAccount.test.ts",
        RS: "tests/edge/rolloutSequence.test.ts",
        CT: "tests/components/components.test.ts",
    };
    const testFiles = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "tests"], {
        cwd: ROOT,
        encoding: "utf8",
    })
        .split("\n")
        .filter((f) => f.endsWith(".test.ts"));
    /** The test files a guard names: an abbreviation, or every `<name>.test` (tests/backup and tests/policies both have a backup.test). */
    const filesOf = (name: string) => (ABBREVIATIONS[name] ? [ABBREVIATIONS[name]!] : testFiles.filter((f) => f.endsWith(`/${name}.ts`)));

    it("gives every rule its code, its source and the test that guards it", () => {
        expect(rows.length).toBeGreaterThan(40);
        const incomplete = rows.filter(
            (cells) => cells.length !== 4 || cells.some((c) => c.trim() === "") || /documented only/.test(cells[3]!),
        );
        expect(incomplete.map((cells) => cells[0]!.slice(0, 80))).toEqual([]);
    });

    it("names only test files that exist, and only test titles they hold", () => {
        const missing: string[] = [];
        for (const [rule, , , guard] of rows) {
            const named = [...guard!.matchAll(/\b(PR|SA|RS|CT|[\w]+\.test)\b(?: "([^"]+)")?/g)];
            if (named.length === 0) missing.push(`${rule!.slice(0, 60)}: names no test`);
            for (const [, name, title] of named) {
                const files = filesOf(name!);
                if (files.length === 0) missing.push(`${rule!.slice(0, 60)}: no test file ${name}`);
                else if (title && !files.some((f) => readFileSync(join(ROOT, f), "utf8").includes(title)))
                    missing.push(`${name} has no test "${title}"`);
            }
        }
        expect(missing).toEqual([]);
    });
});
