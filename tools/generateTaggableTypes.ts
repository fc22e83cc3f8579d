/**
 * Writes policies/data/aws-taggable-types.json: every @pulumi/aws resource type whose args
 * accept `tags`, read from the installed SDK so the tagging rule knows what "taggable" means
 * for exactly the provider version in the lockfile. `npm test` fails when it is stale.
 *
 * Usage: node --import tsx tools/generateTaggableTypes.ts [--check]
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const SDK = join(__dirname, "..", "node_modules", "@pulumi", "aws");
const OUTPUT = join(__dirname, "..", "policies", "data", "aws-taggable-types.json");

function* jsFiles(dir: string): Generator<string> {
    for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) {
            if (entry !== "types" && entry !== "node_modules") yield* jsFiles(path);
        } else if (entry.endsWith(".js")) yield path;
    }
}

function taggableTypes(): string[] {
    const types: string[] = [];
    for (const file of jsFiles(SDK)) {
        const js = readFileSync(file, "utf8");
        const match = /__pulumiType = '(aws:[^']+)'/.exec(js);
        if (!match) continue;
        const dts = readFileSync(file.replace(/\.js$/, ".d.ts"), "utf8");
        const args = /export interface \w+Args \{([\s\S]*?)\n\}/.exec(dts);
        if (args && /\n\s+tags\?: pulumi\.Input</.test(args[1]!)) types.push(match[1]!);
    }
    return types.sort();
}

if (require.main === module) {
    const content = `${JSON.stringify({ generatedFrom: "@pulumi/aws", types: taggableTypes() }, null, 1)}\n`;
    if (process.argv.includes("--check")) {
        if (readFileSync(OUTPUT, "utf8") !== content) {
            process.stderr.write(`${OUTPUT} is stale; run: node --import tsx tools/generateTaggableTypes.ts\n`);
            process.exit(1);
        }
    } else writeFileSync(OUTPUT, content);
}
