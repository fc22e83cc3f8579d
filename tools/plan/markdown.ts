/**
 * The PR comment for one stack, built from plan documents (never from CLI text): a summary
 * first, details in collapsible sections, trimmed to fit GitHub's comment limit.
 */
import type { Finding } from "../../policies/engine";
import { resourcePath, type PlanDocument } from "./document";
import type { CoverageRow } from "./coverage";
import { readableChanges, shown, type IgnoredChange, type ResourceChange } from "./diff";
import type { Risk } from "./risk";
import { costLines, costSummary, type CostEstimate } from "./cost";

export interface StackReport {
    stack: string;
    doc: PlanDocument;
    changes: ResourceChange[];
    /** Differences `ignoreChanges` keeps `pulumi up` from applying: listed, never scored. */
    ignored?: IgnoredChange[];
    risk: Risk;
    coverage: CoverageRow[];
    findings: Finding[];
    /** The baseline's cost estimate, for the change's monthly difference. */
    costBaseline?: CostEstimate;
    /** The commit planned and the baseline it was compared with, as the comment names them. */
    source?: { commit?: string; baseline?: string };
}

/** GitHub refuses comments over 65,536 characters; three stacks share one comment. */
const DEFAULT_MAX_CHARS = 20_000;
/** Where a trimmed comment's reader finds everything (the PR workflow writes both). */
const FULL_REPORT = "the job summary and the `plan-report` artifact";

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const short = (value: unknown) => {
    const text = shown(value);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
};
const typeName = (c: ResourceChange) => c.type.split(":").pop()!;

function summaryLine(r: StackReport): string {
    const count = (kind: ResourceChange["kind"]) => r.changes.filter((c) => c.kind === kind).length;
    const mandatory = r.findings.filter((f) => f.status === "violation" && f.level === "mandatory").length;
    const policy = mandatory > 0 ? ` — **${mandatory} mandatory policy violation(s)**` : "";
    if (r.changes.length === 0) return `**${r.stack}**: no changes${policy}.`;
    return `**${r.stack}**: ${count("add")} to add, ${count("update")} to update, ${count("replace")} to replace, ${count("delete")} to delete — risk **${r.risk.riskClass}** (${r.risk.score} = impact ${r.risk.impact} × likelihood ${r.risk.likelihood} × complexity ${r.risk.complexity})${policy}`;
}

function callouts(r: StackReport): string[] {
    const loud = r.changes.filter((c) => (c.kind === "replace" || c.kind === "delete") && (c.stateful || c.protected));
    const leaving = r.changes.filter((c) => c.leavesBehind);
    return [
        ...(loud.length === 0
            ? []
            : [
                  "> [!CAUTION]",
                  ...loud.map(
                      (c) =>
                          `> **${c.kind === "replace" ? "Replaces" : "Deletes"} ${c.stateful ? "stateful" : "protected"} ${c.type.split(":").pop()} \`${c.name}\`**${c.replaceKeys.length > 0 ? ` (because of ${c.replaceKeys.map((k) => `\`${k}\``).join(", ")})` : ""}`,
                  ),
              ]),
        ...(leaving.length === 0
            ? []
            : [
                  "> [!WARNING]",
                  ...leaving.map(
                      (c) =>
                          `> **${c.kind === "replace" ? "Replaces" : "Deletes"} ${c.type.split(":").pop()} \`${c.name}\`**: ${c.leavesBehind}`,
                  ),
              ]),
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
        ...findings.map(
            (f) =>
                `| ${f.status === "not-evaluated" ? "not evaluated" : f.level} | \`${f.policy}\` | ${f.resource ? `\`${cell(resourcePath(f.resource.urn))}\`` : "(stack)"} | ${cell(f.message)} | ${cell(f.remediation)} |`,
        ),
    ]);
}

function changeLines(c: ResourceChange): string[] {
    const why = [
        c.replaceKeys.length > 0 ? `because of ${c.replaceKeys.map((k) => `\`${k}\``).join(", ")}` : "",
        c.causedBy ? `its inputs take the replaced ${c.causedBy.map((u) => `\`${u.split("::").pop()}\``).join(", ")}` : "",
    ]
        .filter(Boolean)
        .join("; ");
    return [
        `- **${c.kind}** \`${typeName(c)}\` \`${c.name}\`${why ? ` — ${why}` : ""}`,
        ...(c.kind === "update" || c.kind === "replace"
            ? readableChanges(c.changes).map((p) => `  - \`${p.path}\`: \`${cell(short(p.before))}\` → \`${cell(short(p.after))}\``)
            : []),
    ];
}

/**
 * Every deletion and replacement, never folded or trimmed, grouped by action: one line each,
 * or, when there are many, by type with their names.
 */
function destructiveSection(changes: ResourceChange[], budget: number): string[] {
    const groups = (["replace", "delete"] as const)
        .map((kind) => [kind, changes.filter((c) => c.kind === kind)] as const)
        .filter(([, list]) => list.length > 0);
    if (groups.length === 0) return [];
    const oneLineEach = groups.flatMap(([kind, list]) => [
        `**${kind === "replace" ? "Replace" : "Delete"}** (${list.length}):`,
        ...list.map(
            (c) =>
                `- \`${typeName(c)}\` \`${c.name}\`${c.replaceKeys.length > 0 ? ` — because of ${c.replaceKeys.map((k) => `\`${k}\``).join(", ")}` : c.causedBy ? " — takes a replaced resource's id" : ""}`,
        ),
        "",
    ]);
    const byType = groups.flatMap(([kind, list]) => {
        const types = [...new Set(list.map(typeName))].sort();
        return [
            `**${kind === "replace" ? "Replace" : "Delete"}** (${list.length}):`,
            ...types.map(
                (t) =>
                    `- \`${t}\`: ${list
                        .filter((c) => typeName(c) === t)
                        .map((c) => `\`${c.name}\``)
                        .join(", ")}`,
            ),
            "",
        ];
    });
    const body = oneLineEach.join("\n").length <= budget ? oneLineEach : byType;
    return [`#### Deletions and replacements (${groups.reduce((n, [, l]) => n + l.length, 0)})`, "", ...body];
}

/** The other changes, updates then additions, as many as `budget` allows; what is left out is counted. */
function otherChangesSection(changes: ResourceChange[], budget: number): { lines: string[]; left: number } {
    const rest = [...changes.filter((c) => c.kind === "update"), ...changes.filter((c) => c.kind === "add")];
    if (rest.length === 0) return { lines: [], left: 0 };
    const body: string[] = [];
    let shownCount = 0;
    for (const c of rest) {
        const next = changeLines(c);
        if ([...body, ...next].join("\n").length > budget) break;
        body.push(...next);
        shownCount++;
    }
    const left = rest.length - shownCount;
    const title = `Updates and additions (${rest.length}${left > 0 ? `, ${left} not shown here` : ""})`;
    return {
        lines: details(title, [
            ...body,
            ...(left > 0 ? ["", `_${left} more left out to fit a PR comment; every change is in ${FULL_REPORT}._`] : []),
        ]),
        left,
    };
}

function riskLines(r: StackReport): string[] {
    return ["**Why this risk:**", ...r.risk.reasons.map((reason) => `- ${reason}`)];
}

function sourceLine(r: StackReport): string[] {
    const { commit, baseline } = r.source ?? {};
    if (!commit && !baseline) return [];
    return [`_Planned ${commit ? `commit \`${commit}\`` : "this change"}${baseline ? ` against the baseline \`${baseline}\`` : ""}._`];
}

function coverageSection(rows: CoverageRow[]): string[] {
    const uncovered = rows.filter((r) => !r.coveredBy && !r.note);
    const noted = rows.filter((r) => !r.coveredBy && r.note).length;
    return details(
        `Backup coverage: ${rows.length - uncovered.length - noted} of ${rows.length} covered${noted > 0 ? `, ${noted} noted` : ""}${uncovered.length > 0 ? `, **${uncovered.length} uncovered**` : ""}`,
        [
            "| resource | type | tier | RPO | RTO | covered by |",
            "|---|---|---|---|---|---|",
            ...rows.map(
                (r) =>
                    `| \`${r.name}\` | ${r.type.split(":").pop()} | ${r.tier ?? "—"} | ${r.rpo ?? "—"} | ${r.rto ?? "—"} | ${r.coveredBy ?? (r.note ? `— (${cell(r.note)})` : "**nothing**")} |`,
            ),
        ],
    );
}

function ignoredSection(ignored: readonly IgnoredChange[]): string[] {
    if (ignored.length === 0) return [];
    return details(
        `Ignored by \`ignoreChanges\` (${ignored.length}): pulumi up keeps the live values`,
        ignored.flatMap((c) => [
            `- \`${c.type.split(":").pop()}\` \`${c.name}\``,
            ...c.changes.map((p) => `  - \`${p.path}\`: \`${cell(short(p.before))}\` → \`${cell(short(p.after))}\` (ignored)`),
        ]),
    );
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

/** The stack's monthly estimate and what this change does to it: short, so it always stays in. */
function costSection(r: StackReport): string[] {
    if (!r.doc.cost) return [];
    const { total, change } = costSummary(r.stack, r.doc.cost, r.costBaseline);
    const [, ...rest] = costLines(r.stack, r.doc.cost, r.costBaseline, 3);
    return [`**Cost:** ${change ? `${change}; ` : ""}${total}`, "", ...details("Cost by resource", ["```text", ...rest, "```"]), ""];
}

export interface RenderedComment {
    /** What goes into the PR comment. */
    comment: string;
    /** Everything, for the job summary or an artifact. */
    full: string;
    trimmed: boolean;
}

export function renderStackMarkdown(r: StackReport, maxChars = DEFAULT_MAX_CHARS): RenderedComment {
    const head = [`### ${summaryLine(r)}`, ...sourceLine(r), ...callouts(r)];
    if (r.changes.length === 0) {
        const text = [...head, ...(r.findings.length > 0 ? ["", ...findingsSection(r.findings)] : [])].join("\n");
        return { comment: text, full: text, trimmed: false };
    }
    // Deletions and replacements come first, unfolded; the cost after them.
    const fixed = [...head, "", ...riskLines(r), "", ...destructiveSection(r.changes, maxChars / 2), ...costSection(r)];
    const optional = [
        findingsSection(r.findings),
        coverageSection(r.coverage),
        ignoredSection(r.ignored ?? []),
        graphSection(r.changes),
    ].filter((s) => s.length > 0);
    const full = [
        ...fixed,
        ...otherChangesSection(r.changes, Number.POSITIVE_INFINITY).lines,
        "",
        ...optional.flatMap((s) => [...s, ""]),
    ].join("\n");
    if (full.length <= maxChars) return { comment: full, full, trimmed: false };
    // Deletions, replacements and the findings always stay; updates are trimmed first, then the rest.
    const findings = optional[0]!;
    const base = [...fixed, "", ...findings, ""];
    const others = otherChangesSection(r.changes, Math.max(0, maxChars - base.join("\n").length - 600));
    let comment = [...base, ...others.lines];
    for (const section of optional.slice(1)) {
        const next = [...comment, "", ...section];
        if (next.join("\n").length <= maxChars - 200) comment = next;
    }
    comment.push(
        "",
        `_Trimmed to fit a PR comment${others.left > 0 ? `: ${others.left} updates and additions left out` : ""}; the full report is in ${FULL_REPORT}._`,
    );
    return { comment: comment.join("\n"), full, trimmed: true };
}
