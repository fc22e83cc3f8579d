/**
 * `npm run audit -- FILE [--stack NAME]`
 *
 * Judges resources that did not come from this program with the same rules as the plan:
 * FILE is a plan document (`npm run plan -- <stack> --json FILE`) or a `pulumi stack export`
 * checkpoint. Same output and exit codes as the plan: 0 ok, 1 a mandatory rule fails, 2 bad
 * usage or an unreadable file.
 */
import { readFileSync } from "node:fs";
import { RuleInputError, blocking } from "../policies/engine";
import { providerUrn, redact } from "./plan/wire";
import { EXIT_CODES_HELP, EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, UsageError, parseArgs, wantsHelp } from "./plan/cli";
import { renderFindings, terminalStyle } from "./plan/document";
import { judge, type JudgeableResource } from "./plan/judge";

interface ExportedResource {
    urn: string;
    type: string;
    id?: string;
    custom?: boolean;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    protect?: boolean;
    retainOnDelete?: boolean;
    provider?: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
}

export interface AuditInput {
    stack: string;
    resources: JudgeableResource[];
}

const nameOf = (urn: string) => urn.split("::").pop() ?? urn;

/** Reads a plan document or a stack export into judgeable resources, secrets redacted as the plan does. */
export function readAuditInput(text: string, stackOverride?: string): AuditInput {
    let doc: unknown;
    try {
        doc = JSON.parse(text);
    } catch (error) {
        throw new UsageError(`not JSON: ${(error as Error).message}`);
    }
    const plan = doc as { stack?: string; resources?: JudgeableResource[] };
    const exported = (doc as { deployment?: { resources?: ExportedResource[] } }).deployment?.resources;
    if (Array.isArray(exported)) {
        checkShapes(exported, ["urn", "type"], ["inputs", "outputs"]);
        const resources = exported
            .filter((r) => r.type !== "pulumi:pulumi:Stack")
            .map((r) => ({
                urn: r.urn,
                type: r.type,
                name: nameOf(r.urn),
                ...(r.id ? { id: r.id } : {}),
                // A checkpoint's inputs are what the program declared; outputs fill in what it left to the provider.
                inputs: redact({ ...(r.outputs ?? {}), ...(r.inputs ?? {}) }) as Record<string, unknown>,
                options: {
                    protect: r.protect,
                    retainOnDelete: r.retainOnDelete,
                    provider: r.provider ? providerUrn(r.provider) : undefined,
                    dependsOn: r.dependencies ?? [],
                    propertyDependencies: r.propertyDependencies ?? {},
                },
            }));
        const stack = stackOverride ?? /^urn:pulumi:([^:]+)::/.exec(resources[0]?.urn ?? "")?.[1];
        if (!stack) throw new UsageError("cannot tell the stack from the export; pass --stack NAME");
        return { stack, resources };
    }
    if (Array.isArray(plan.resources) && typeof plan.stack === "string") {
        checkShapes(plan.resources, ["urn", "type", "name"], ["inputs", "options"]);
        return { stack: stackOverride ?? plan.stack, resources: plan.resources };
    }
    throw new UsageError("expected a plan document ({stack, resources}) or a `pulumi stack export` ({deployment: {resources}})");
}

/** Every resource an object with the text fields and object fields named; all problems at once. */
function checkShapes(resources: readonly unknown[], text: readonly string[], objects: readonly string[]): void {
    const problems: string[] = [];
    resources.forEach((r, i) => {
        if (r === null || typeof r !== "object" || Array.isArray(r)) return void problems.push(`resource ${i}: expected an object`);
        const record = r as Record<string, unknown>;
        const label = typeof record["urn"] === "string" ? record["urn"] : `resource ${i}`;
        for (const field of text)
            if (typeof record[field] !== "string" || record[field] === "")
                problems.push(
                    `${label}: ${field} is ${record[field] === undefined ? "missing" : JSON.stringify(record[field])}; expected text`,
                );
        for (const field of objects) {
            const value = record[field];
            if (value !== undefined && (value === null || typeof value !== "object" || Array.isArray(value)))
                problems.push(`${label}: ${field} is ${JSON.stringify(value)?.slice(0, 40)}; expected an object`);
        }
    });
    if (problems.length > 0) throw new UsageError(`the file's resources are malformed:\n${problems.map((p) => `  ${p}`).join("\n")}`);
}

const USAGE = "usage: npm run audit -- FILE [--stack NAME]";
const HELP = `${USAGE}

Judges resources that did not come from this program with the policy pack's rules: FILE is a
plan document (npm run plan -- <stack> --json) or a \`pulumi stack export\`. The stack is read
from the resources' URNs unless --stack names it; its enforcement levels come from
policies/config/<stack>.json.

  --stack NAME   the stack whose policy config applies
  -h, --help     this text

Colour: on a terminal, off with NO_COLOR; FORCE_COLOR=1 forces it, FORCE_COLOR=0 turns it off.
${EXIT_CODES_HELP}`;

function main(argv: string[]): number {
    if (wantsHelp(argv)) {
        process.stdout.write(`${HELP}\n`);
        return EXIT_OK;
    }
    const { positional, flags } = parseArgs(argv, ["stack"]);
    if (positional.length !== 1) throw new UsageError("name one file");
    let text: string;
    try {
        text = readFileSync(positional[0]!, "utf8");
    } catch (error) {
        throw new UsageError(`cannot read ${positional[0]}: ${(error as Error).message}`);
    }
    const { stack, resources } = readAuditInput(text, flags["stack"]);
    let findings;
    try {
        findings = judge(stack, resources);
    } catch (error) {
        // A resource whose inputs a rule cannot read is a malformed file, not a policy verdict.
        if (error instanceof RuleInputError) throw new UsageError(`a resource is malformed: ${error.message}`);
        throw error;
    }
    const style = terminalStyle();
    process.stdout.write(
        `${style.bold(`ops-platform audit · ${stack} · ${resources.length} resources from ${positional[0]}`)}\n\n${renderFindings(findings, style).join("\n")}\n`,
    );
    return blocking(findings).length > 0 ? EXIT_FINDINGS : EXIT_OK;
}

if (require.main === module) {
    try {
        process.exit(main(process.argv.slice(2)));
    } catch (error) {
        if (error instanceof UsageError) {
            process.stderr.write(`${error.message}\n${USAGE}\n`);
            process.exit(EXIT_USAGE);
        }
        // 1 is a policy verdict; a failure of the tool itself is 3.
        process.stderr.write(`audit failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        process.exit(EXIT_INTERNAL);
    }
}
