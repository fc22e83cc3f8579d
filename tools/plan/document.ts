/**
 * The plan document (`--json`) and its human rendering. The document is the interface other
 * tools read (baselines, PR comments, audits), so it is sorted and stable.
 */
import { readFileSync } from "node:fs";
import type { PlannedResource } from "./capture";
import { UsageError } from "./cli";
import type { Finding } from "../../policies/engine";
import type { CoverageRow } from "./coverage";
import { readableChanges, shown, type IgnoredChange, type ResourceChange } from "./diff";
import type { Risk } from "./risk";
import type { CostEstimate } from "./cost";

export interface PlanDocument {
    stack: string;
    resources: Array<Pick<PlannedResource, "urn" | "type" | "name" | "parent" | "id" | "inputs" | "options">>;
    outputs: Record<string, unknown>;
    findings: Finding[];
    /** The monthly estimate (tools/plan/cost.ts); absent in documents written before it existed. */
    cost?: CostEstimate;
}

export function toDocument(
    stack: string,
    resources: PlannedResource[],
    outputs: Record<string, unknown>,
    findings: Finding[],
): PlanDocument {
    return {
        stack,
        resources: resources.map(({ urn, type, name, parent, id, inputs, options }) => ({
            urn,
            type,
            name,
            ...(parent ? { parent } : {}),
            ...(id ? { id } : {}),
            inputs,
            options,
        })),
        outputs,
        findings,
    };
}

/** A plan document read back (a baseline, a PR's plan); what is not one is the caller's usage error, naming `label`. */
export function readPlanDocument(path: string, label = path): PlanDocument {
    try {
        const doc = JSON.parse(readFileSync(path, "utf8")) as PlanDocument;
        if (!Array.isArray(doc.resources)) throw new Error("no resources list");
        return doc;
    } catch (error) {
        throw new UsageError(`${label}: not a plan document (${(error as Error).message})`);
    }
}

export function serializeDocument(doc: PlanDocument): string {
    return `${JSON.stringify(doc, null, 2)}\n`;
}

export interface Style {
    bold(text: string): string;
    dim(text: string): string;
    red(text: string): string;
    yellow(text: string): string;
    green(text: string): string;
}

/**
 * The style for a terminal: FORCE_COLOR decides when set (0 or false: none), else NO_COLOR
 * (no-color.org) turns colour off, else colour only on a TTY.
 */
export function terminalStyle(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): Style {
    const force = env["FORCE_COLOR"];
    if (force !== undefined && force !== "") return force === "0" || force === "false" ? plainStyle : ansiStyle;
    if (env["NO_COLOR"]) return plainStyle;
    return stream.isTTY ? ansiStyle : plainStyle;
}

export const plainStyle: Style = { bold: (t) => t, dim: (t) => t, red: (t) => t, yellow: (t) => t, green: (t) => t };
export const ansiStyle: Style = {
    bold: (t) => `\x1b[1m${t}\x1b[22m`,
    dim: (t) => `\x1b[2m${t}\x1b[22m`,
    red: (t) => `\x1b[31m${t}\x1b[39m`,
    yellow: (t) => `\x1b[33m${t}\x1b[39m`,
    green: (t) => `\x1b[32m${t}\x1b[39m`,
};

/** The resource tree, by component: each resource under its parent. */
export function renderTree(resources: PlanDocument["resources"], style: Style): string[] {
    const children = new Map<string | undefined, PlanDocument["resources"]>();
    for (const r of resources) {
        const list = children.get(r.parent) ?? [];
        list.push(r);
        children.set(r.parent, list);
    }
    const known = new Set(resources.map((r) => r.urn));
    const roots = resources.filter((r) => !r.parent || !known.has(r.parent));
    const lines: string[] = [];
    const countBelow = (urn: string): number => (children.get(urn) ?? []).reduce((n, c) => n + 1 + countBelow(c.urn), 0);
    const walk = (r: PlanDocument["resources"][number], prefix: string, last: boolean, depth: number) => {
        const below = countBelow(r.urn);
        const flags = [r.options.protect ? "protected" : "", r.options.retainOnDelete ? "retained" : ""].filter(Boolean);
        const label = below > 0 ? style.bold(`${r.name}`) : r.name;
        const suffix = [below > 0 ? `${below} below` : "", ...flags].filter(Boolean).join(", ");
        lines.push(
            `${prefix}${depth === 0 ? "" : last ? "└─ " : "├─ "}${label} ${style.dim(r.type)}${suffix ? style.dim(` (${suffix})`) : ""}`,
        );
        const kids = children.get(r.urn) ?? [];
        kids.forEach((k, i) => walk(k, depth === 0 ? prefix : prefix + (last ? "   " : "│  "), i === kids.length - 1, depth + 1));
    };
    roots.forEach((r) => walk(r, "", true, 0));
    return lines;
}

/** Resource counts per provider package and per type. */
export function renderCounts(resources: PlanDocument["resources"], style: Style): string[] {
    const byProvider = new Map<string, number>();
    const byType = new Map<string, number>();
    for (const r of resources) {
        const pkg = r.type.startsWith("pulumi:providers:") ? "providers" : r.type.split(":")[0]!;
        byProvider.set(pkg, (byProvider.get(pkg) ?? 0) + 1);
        byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
    }
    const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const width = String(resources.length).length;
    return [
        style.bold("By provider"),
        ...sorted(byProvider).map(([k, n]) => `  ${String(n).padStart(width)}  ${k}`),
        style.bold("By type"),
        ...sorted(byType).map(([k, n]) => `  ${String(n).padStart(width)}  ${k}`),
    ];
}

export function renderOutputs(outputs: Record<string, unknown>, style: Style): string[] {
    return [style.bold("Outputs"), ...Object.entries(outputs).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`)];
}

/** Findings grouped by severity, each with the resource path and the remediation. */
export function renderFindings(findings: readonly Finding[], style: Style): string[] {
    const groups: Array<[string, Finding[], (t: string) => string]> = [
        ["Mandatory violations", findings.filter((f) => f.status === "violation" && f.level === "mandatory"), style.red],
        ["Advisory violations", findings.filter((f) => f.status === "violation" && f.level === "advisory"), style.yellow],
        ["Not evaluated (value unknown at plan time)", findings.filter((f) => f.status === "not-evaluated"), style.dim],
    ];
    const lines = [
        style.bold(
            `Policy findings: ${findings.filter((f) => f.status === "violation" && f.level === "mandatory").length} mandatory, ${findings.filter((f) => f.status === "violation" && f.level === "advisory").length} advisory, ${findings.filter((f) => f.status === "not-evaluated").length} not evaluated`,
        ),
    ];
    for (const [title, list, color] of groups) {
        if (list.length === 0) continue;
        lines.push(color(`  ${title} (${list.length})`));
        for (const f of list) {
            lines.push(`    ${color(f.policy)} ${f.resource ? style.dim(resourcePath(f.resource.urn)) : style.dim("(stack)")}`);
            lines.push(`      ${f.message}`);
            lines.push(style.dim(`      fix: ${f.remediation}`));
        }
    }
    return lines;
}

/** "Type$Type::name" part of a URN, the readable path of a resource. */
export function resourcePath(urn: string): string {
    const parts = urn.split("::");
    return `${parts
        .slice(2, -1)
        .join("::")
        .split("$")
        .map((t) => t.split(":").pop())
        .join(" > ")} ${parts[parts.length - 1]}`;
}

/** Changes against the baseline, input by input, and the change's risk. */
export function renderChanges(changes: readonly ResourceChange[], risk: Risk, style: Style): string[] {
    if (changes.length === 0) return [style.bold("Changes against the baseline: none")];
    const mark: Record<ResourceChange["kind"], string> = {
        add: style.green("+"),
        delete: style.red("-"),
        replace: style.red("+-"),
        update: style.yellow("~"),
    };
    const count = (kind: ResourceChange["kind"]) => changes.filter((c) => c.kind === kind).length;
    const lines = [
        style.bold(
            `Changes against the baseline: ${count("add")} to add, ${count("update")} to update, ${count("replace")} to replace, ${count("delete")} to delete — risk ${risk.riskClass} (${risk.score} = ${risk.impact} x ${risk.likelihood} x ${risk.complexity})`,
        ),
        ...risk.reasons.map((r) => style.dim(`  ${r}`)),
    ];
    for (const c of changes) {
        const loud =
            (c.kind === "replace" || c.kind === "delete") && (c.stateful || c.protected)
                ? style.red(` !! ${c.stateful ? "stateful" : "protected"}`)
                : "";
        lines.push(
            `  ${mark[c.kind]} ${c.kind} ${c.type} ${c.name}${c.replaceKeys.length > 0 ? style.dim(` (replaced because of ${c.replaceKeys.join(", ")})`) : ""}${loud}`,
        );
        if (c.leavesBehind) lines.push(style.yellow(`      !! ${c.leavesBehind}`));
        if (c.kind === "update" || c.kind === "replace")
            for (const p of readableChanges(c.changes)) lines.push(style.dim(`      ${p.path}: ${shown(p.before)} -> ${shown(p.after)}`));
    }
    return lines;
}

/** What differs but `ignoreChanges` keeps `pulumi up` from changing: shown, never scored. */
export function renderIgnored(ignored: readonly IgnoredChange[], style: Style): string[] {
    if (ignored.length === 0) return [];
    return [
        style.bold(`Ignored (ignoreChanges keeps the live value; pulumi up changes nothing): ${ignored.length}`),
        ...ignored.flatMap((c) => [
            `  = ${c.type} ${c.name}`,
            ...c.changes.map((p) => style.dim(`      ${p.path}: ${shown(p.before)} -> ${shown(p.after)} (ignored)`)),
        ]),
    ];
}

export function renderCoverage(rows: readonly CoverageRow[], style: Style): string[] {
    const uncovered = rows.filter((r) => !r.coveredBy && !r.note);
    const noted = rows.filter((r) => !r.coveredBy && r.note);
    return [
        style.bold(
            `Backup coverage: ${rows.length - uncovered.length - noted.length} of ${rows.length} covered${noted.length > 0 ? `, ${noted.length} noted` : ""}`,
        ),
        ...rows.map(
            (r) =>
                `  ${r.coveredBy ? style.green("ok") : r.note ? style.dim("--") : style.red("UNCOVERED")} ${r.name} ${style.dim(r.type)} tier=${r.tier ?? "-"} RPO=${r.rpo ?? "-"} RTO=${r.rto ?? "-"} ${r.coveredBy ? `<- ${r.coveredBy}` : (r.note ?? "")}`,
        ),
    ];
}
