/**
 * The PR comment for one stack, built from plan documents (never from CLI text): a summary
 * first, details in collapsible sections, trimmed to fit GitHub's comment limit.
 */
import type { Finding } from "../../policies/engine";
import { resourcePath, type PlanDocument } from "./document";
import type { CoverageRow, ResourceChange, Risk } from "./review";

export interface StackReport {
    stack: string;
    doc: PlanDocument;
    changes: ResourceChange[];
    risk: Risk;
    coverage: CoverageRow[];
    findings: Finding[];
}

/** GitHub refuses comments over 65,536 characters; three stacks share one comment. */
export const DEFAULT_MAX_CHARS = 20_000;

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const short = (value: unknown) => {
    const text = value === undefined ? "(none)" : JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

export function summaryLine(r: StackReport): string {
    const count = (kind: ResourceChange["kind"]) => r.changes.filter((c) => c.kind === kind).length;
    const mandatory = r.findings.filter((f) => f.status === "violation" && f.level === "mandatory").length;
    const policy = mandatory > 0 ? ` — **${mandatory} mandatory policy violation(s)**` : "";
    if (r.changes.length === 0) return `**${r.stack}**: no changes${policy}.`;
    return `**${r.stack}**: ${count("add")} to add, ${count("update")} to update, ${count("replace")} to replace, ${count("delete")} to delete — risk **${r.risk.riskClass}** (${r.risk.score} = impact ${r.risk.impact} × likelihood ${r.risk.likelihood} × complexity ${r.risk.complexity})${policy}`;
}

function callouts(r: StackReport): string[] {
    const loud = r.changes.filter((c) => (c.kind === "replace" || c.kind === "delete") && (c.stateful || c.protected));
    if (loud.length === 0) return [];
    return [
        "> [!CAUTION]",
        ...loud.map((c) => `> **${c.kind === "replace" ? "Replaces" : "Deletes"} ${c.stateful ? "stateful" : "protected"} ${c.type.split(":").pop()} \`${c.name}\`**${c.replaceKeys.length > 0 ? ` (because of ${c.replaceKeys.map((k) => `\`${k}\``).join(", ")})` : ""}`),
    ];
}

function details(summary: string, body: string[]): string[] {
    return ["<details>", `<summary>${summary}</summary>`, "", ...body, "", "</details>"];
}

function findingsSection(findings: Finding[]): string[] {
    const counts = (pred: (f: Finding) => boolean) => findings.filter(pred).length;
    const title = `Policy findings: ${counts((f) => f.status === "violation" && f.level === "mandatory")} mandatory, ${counts((f) => f.status === "violation" && f.level === "advisory")} advisory, ${counts((f) => f.status === "not-evaluated")} not evaluated`;
    if (findings.length === 0) return details(title, ["Every rule passes."]);
    return details(title, [
        "| level | rule | resource | finding | fix |",
        "|---|---|---|---|---|",
        ...findings.map((f) => `| ${f.status === "not-evaluated" ? "not evaluated" : f.level} | \`${f.policy}\` | ${f.resource ? `\`${cell(resourcePath(f.resource.urn))}\`` : "(stack)"} | ${cell(f.message)} | ${cell(f.remediation)} |`),
    ]);
}

function diffSection(changes: ResourceChange[]): string[] {
    return details(
        `Changes by property (${changes.length} resources)`,
        changes.flatMap((c) => [
            `- **${c.kind}** \`${c.type}\` \`${c.name}\`${c.replaceKeys.length > 0 ? ` — replaced because of ${c.replaceKeys.map((k) => `\`${k}\``).join(", ")}` : ""}`,
            ...(c.kind === "update" || c.kind === "replace" ? c.changes.map((p) => `  - \`${p.path}\`: \`${cell(short(p.before))}\` → \`${cell(short(p.after))}\``) : []),
        ]),
    );
}

function coverageSection(rows: CoverageRow[]): string[] {
    const uncovered = rows.filter((r) => !r.coveredBy);
    return details(`Backup coverage: ${rows.length - uncovered.length} of ${rows.length} covered${uncovered.length > 0 ? `, **${uncovered.length} uncovered**` : ""}`, [
        "| resource | type | tier | RPO | RTO | covered by |",
        "|---|---|---|---|---|---|",
        ...rows.map((r) => `| \`${r.name}\` | ${r.type.split(":").pop()} | ${r.tier ?? "—"} | ${r.rpo ?? "—"} | ${r.rto ?? "—"} | ${r.coveredBy ?? "**nothing**"} |`),
    ]);
}

function graphSection(changes: ResourceChange[]): string[] {
    const byComponent = new Map<string, number>();
    for (const c of changes) byComponent.set(c.component, (byComponent.get(c.component) ?? 0) + 1);
    const id = (name: string) => name.replace(/[^A-Za-z0-9]/g, "_");
    return details("Changed components", [
        "```mermaid",
        "graph TD",
        "  platform[Platform]",
        ...[...byComponent.entries()].sort().map(([name, n]) => `  platform --> ${id(name)}["${name}: ${n} change(s)"]`),
        "```",
    ]);
}

export interface RenderedComment {
    /** What goes into the PR comment. */
    comment: string;
    /** Everything, for the job summary or an artifact. */
    full: string;
    trimmed: boolean;
}

export function renderStackMarkdown(r: StackReport, maxChars = DEFAULT_MAX_CHARS): RenderedComment {
    const head = [`### ${summaryLine(r)}`, ...callouts(r)];
    if (r.changes.length === 0) {
        const text = [...head, ...(r.findings.length > 0 ? ["", ...findingsSection(r.findings)] : [])].join("\n");
        return { comment: text, full: text, trimmed: false };
    }
    const sections = [findingsSection(r.findings), diffSection(r.changes), coverageSection(r.coverage), graphSection(r.changes)];
    const full = [...head, "", ...sections.flatMap((s) => [...s, ""])].join("\n");
    if (full.length <= maxChars) return { comment: full, full, trimmed: false };
    // Keep the summary and the findings; drop details, largest first, until it fits.
    const note = "_Details trimmed to fit a PR comment; the full report is in the job summary and the `plan-report` artifact._";
    const kept = [sections[0]!, sections[3]!, sections[2]!];
    let comment = [...head, "", note];
    for (const s of kept) {
        const next = [...comment, "", ...s];
        if (next.join("\n").length <= maxChars) comment = next;
    }
    return { comment: comment.join("\n").slice(0, maxChars), full, trimmed: true };
}
