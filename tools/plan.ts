/**
 * `npm run plan -- <stack> [--json FILE] [--baseline FILE] [--markdown FILE]`
 *
 * Runs the real program for a stack under Pulumi's mock runtime (no CLI, credentials or
 * network), judges it with the policy pack and prints the plan.
 * Exit codes: 0 ok, 1 a mandatory policy fails, 2 bad usage or bad config.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { ConfigError } from "../config/load";
import { blocking } from "../policies/engine";
import { EXIT_CODES_HELP, EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, UsageError, parseArgs, wantsHelp } from "./plan/cli";
import {
    renderChanges,
    renderIgnored,
    renderCounts,
    renderCoverage,
    renderFindings,
    renderOutputs,
    renderTree,
    readPlanDocument,
    serializeDocument,
    terminalStyle,
    toDocument,
} from "./plan/document";
import { judge } from "./plan/judge";
import { renderStackMarkdown } from "./plan/markdown";
import { backupCoverage } from "./plan/coverage";
import { PLATFORM_AREAS, componentOf, planDiff } from "./plan/diff";
import { changeRisk } from "./plan/risk";
import { budgetFindings, costLines, estimateCost, readPrices, readUsage } from "./plan/cost";
import type { PlanDocument } from "./plan/document";
import { stackConfig } from "./plan/stackFile";

const USAGE =
    "usage: npm run plan -- <dev|staging|production> [--preview] [--baseline FILE [--changes-only]] [--component NAME] [--json FILE] [--markdown FILE] [--config-dir DIR]";

const HELP = `${USAGE}

Runs the stack's program under Pulumi's mock runtime (no CLI, credentials or network), judges it
with the policy pack and prints the plan: the resource tree by component, counts, outputs and
policy findings; with --baseline, the changes first, their risk and backup coverage.

  --preview          as a first pulumi preview sees it: provider-computed values are unknown
  --baseline FILE    compare with a plan document (plans/<stack>.json)
  --changes-only     with --baseline: the changes, risk and findings, without the tree
  --component NAME   show one component (network, fleet, backup, edge, monitoring)
  --json FILE        write the plan document
  --markdown FILE    write the PR comment (the full report to FILE.full.md when trimmed)
  --config-dir DIR   read Pulumi.<stack>.yaml from DIR
  -h, --help         this text

Colour: on a terminal, off with NO_COLOR; FORCE_COLOR=1 forces it, FORCE_COLOR=0 turns it off.
${EXIT_CODES_HELP}`;

async function main(argv: string[]): Promise<number> {
    if (wantsHelp(argv)) {
        process.stdout.write(`${HELP}\n`);
        return EXIT_OK;
    }
    const { positional, flags, switches } = parseArgs(
        argv,
        ["json", "baseline", "markdown", "config-dir", "component"],
        ["preview", "changes-only"],
    );
    if (positional.length !== 1)
        throw new UsageError(positional.length === 0 ? "name a stack" : `one stack at a time, got ${positional.join(", ")}`);
    if (switches.has("changes-only") && !flags["baseline"]) throw new UsageError("--changes-only needs --baseline FILE");
    const component = flags["component"];
    if (component !== undefined && !(PLATFORM_AREAS as readonly string[]).includes(component))
        throw new UsageError(`--component ${component}: no such component; expected one of ${PLATFORM_AREAS.join(", ")}`);
    const stack = positional[0]!;
    // Judged before the SDK loads: a bad stack file is refused in a fraction of a second.
    const config = stackConfig(stack, flags["config-dir"]);
    // Loaded only now: help, usage and config errors need no Pulumi SDK.
    const { runStack } = await import("./plan/run");
    const preview = switches.has("preview");
    const run = await runStack(stack, { viaIndex: true, dir: flags["config-dir"], preview });
    const doc = toDocument(stack, run.resources, run.outputs, judge(stack, run.resources));
    // The estimate reads the plan document, and an estimate over budget is one more finding.
    doc.cost = estimateCost(doc, readPrices(), readUsage(stack));
    doc.findings.push(...budgetFindings(doc.cost, config.cost.budgetMonthlyUsd, config.cost.overBudgetLevel));
    const { findings } = doc;
    const style = terminalStyle();
    const shownResources = component ? ofComponent(doc, component) : doc.resources;

    const lines = [
        style.bold(
            `ops-platform · ${stack} · ${doc.resources.length} resources (offline ${preview ? "preview: every value a provider computes is unknown, as on a first pulumi preview" : "plan under Pulumi mocks"})${component ? ` · component ${component}` : ""}`,
        ),
        "",
    ];
    const overview = [
        ...renderTree(shownResources, style),
        "",
        ...renderCounts(shownResources, style),
        "",
        ...renderOutputs(doc.outputs, style),
        "",
    ];
    if (flags["baseline"] || flags["markdown"]) {
        const baseline = flags["baseline"]
            ? readPlanDocument(flags["baseline"], `--baseline ${flags["baseline"]}`)
            : { ...doc, resources: [] };
        const { changes, ignored } = planDiff(baseline, doc);
        const cost = baseline.cost
            ? { beforeUsd: baseline.cost.monthlyUsd, afterUsd: doc.cost.monthlyUsd, riskShare: config.cost.riskShare }
            : undefined;
        const risk = changeRisk(stack, changes, cost);
        const coverage = backupCoverage(doc);
        // What changed comes first; the tree is context.
        if (flags["baseline"])
            lines.push(
                ...renderChanges(component ? changes.filter((c) => c.component === component) : changes, risk, style),
                ...renderIgnored(ignored, style),
                "",
                ...costLines(stack, doc.cost, baseline.cost),
                "",
            );
        if (!switches.has("changes-only")) lines.push(...overview, ...renderCoverage(coverage, style), "");
        if (!flags["baseline"]) lines.push(...costLines(stack, doc.cost), "");
        if (flags["markdown"]) {
            const rendered = renderStackMarkdown({
                stack,
                doc,
                changes,
                ignored,
                risk,
                coverage,
                findings,
                ...(flags["baseline"] && baseline.cost ? { costBaseline: baseline.cost } : {}),
                source: { commit: currentCommit(), baseline: flags["baseline"] },
            });
            writeFileSync(flags["markdown"], `${rendered.comment}\n`);
            if (rendered.trimmed) writeFileSync(`${flags["markdown"]}.full.md`, `${rendered.full}\n`);
        }
    } else lines.push(...overview, ...costLines(stack, doc.cost), "");
    lines.push(...renderFindings(findings, style));
    process.stdout.write(`${lines.join("\n")}\n`);
    if (flags["json"]) writeFileSync(flags["json"], serializeDocument(doc));
    return blocking(findings).length > 0 ? EXIT_FINDINGS : EXIT_OK;
}

/** The resources of one Platform area (network, fleet, backup, edge, monitoring, providers). */
function ofComponent(doc: PlanDocument, component: string): PlanDocument["resources"] {
    const byUrn = new Map(doc.resources.map((r) => [r.urn, r]));
    return doc.resources.filter((r) => componentOf(r, byUrn) === component);
}

/** The commit being planned: CI's, else the checkout's; none outside git. */
function currentCommit(): string | undefined {
    if (process.env["GITHUB_SHA"]) return process.env["GITHUB_SHA"].slice(0, 12);
    const git = spawnSync("git", ["rev-parse", "--short=12", "HEAD"], { encoding: "utf8" });
    return git.status === 0 ? git.stdout.trim() : undefined;
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
