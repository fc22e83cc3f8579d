/**
 * `npm run plan -- <stack> [--json FILE] [--baseline FILE] [--markdown FILE]`
 *
 * Runs the real program for a stack under Pulumi's mock runtime (no CLI, credentials or
 * network), judges it with the policy pack and prints the plan.
 * Exit codes: 0 ok, 1 a mandatory policy fails, 2 bad usage or bad config.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { ConfigError } from "../config/load";
import { blocking } from "../policies/engine";
import { EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, UsageError, parseArgs } from "./plan/cli";
import { ansiStyle, plainStyle, renderChanges, renderCounts, renderCoverage, renderFindings, renderOutputs, renderTree, serializeDocument, toDocument } from "./plan/document";
import { judge } from "./plan/judge";
import { renderStackMarkdown } from "./plan/markdown";
import { backupCoverage, changeRisk, diffPlans } from "./plan/review";
import type { PlanDocument } from "./plan/document";
import { runStack } from "./plan/run";

const USAGE = "usage: npm run plan -- <dev|staging|production> [--preview] [--json FILE] [--baseline FILE] [--markdown FILE] [--config-dir DIR]";

async function main(argv: string[]): Promise<number> {
    const { positional, flags, switches } = parseArgs(argv, ["json", "baseline", "markdown", "config-dir"], ["preview"]);
    if (positional.length !== 1) throw new UsageError(positional.length === 0 ? "name a stack" : `one stack at a time, got ${positional.join(", ")}`);
    const stack = positional[0]!;
    const preview = switches.has("preview");
    const run = await runStack(stack, { viaIndex: true, dir: flags["config-dir"], preview });
    const findings = judge(stack, run.resources);
    const doc = toDocument(stack, run.resources, run.outputs, findings);
    const style = process.stdout.isTTY ? ansiStyle : plainStyle;

    const lines = [
        style.bold(`ops-platform · ${stack} · ${doc.resources.length} resources (offline ${preview ? "preview: every value a provider computes is unknown, as on a first pulumi preview" : "plan under Pulumi mocks"})`),
        "",
        ...renderTree(doc.resources, style),
        "",
        ...renderCounts(doc.resources, style),
        "",
        ...renderOutputs(doc.outputs, style),
        "",
        ...renderFindings(findings, style),
    ];
    if (flags["baseline"] || flags["markdown"]) {
        const baseline = flags["baseline"] ? readBaseline(flags["baseline"]) : { ...doc, resources: [] };
        const changes = diffPlans(baseline, doc);
        const risk = changeRisk(stack, changes);
        const coverage = backupCoverage(doc);
        lines.push("", ...renderChanges(changes, risk, style), "", ...renderCoverage(coverage, style));
        if (flags["markdown"]) {
            const rendered = renderStackMarkdown({ stack, doc, changes, risk, coverage, findings, source: { commit: currentCommit(), baseline: flags["baseline"] } });
            writeFileSync(flags["markdown"], `${rendered.comment}\n`);
            if (rendered.trimmed) writeFileSync(`${flags["markdown"]}.full.md`, `${rendered.full}\n`);
        }
    }
    process.stdout.write(`${lines.join("\n")}\n`);
    if (flags["json"]) writeFileSync(flags["json"], serializeDocument(doc));
    return blocking(findings).length > 0 ? EXIT_FINDINGS : EXIT_OK;
}

/** The commit being planned: CI's, else the checkout's; none outside git. */
function currentCommit(): string | undefined {
    if (process.env["GITHUB_SHA"]) return process.env["GITHUB_SHA"].slice(0, 12);
    const git = spawnSync("git", ["rev-parse", "--short=12", "HEAD"], { encoding: "utf8" });
    return git.status === 0 ? git.stdout.trim() : undefined;
}

function readBaseline(path: string): PlanDocument {
    try {
        const doc = JSON.parse(readFileSync(path, "utf8")) as PlanDocument;
        if (!Array.isArray(doc.resources)) throw new Error("no resources list");
        return doc;
    } catch (error) {
        throw new UsageError(`--baseline ${path}: not a plan document (${(error as Error).message})`);
    }
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
        if (error instanceof ConfigError) process.stderr.write(`Config of stack "${error.stackName}" is invalid:\n${error.message}\n`);
        else if (error instanceof UsageError) process.stderr.write(`${error.message}\n${USAGE}\n`);
        else {
            process.stderr.write(`plan failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
            process.exit(EXIT_INTERNAL);
        }
        process.exit(EXIT_USAGE);
    },
);
