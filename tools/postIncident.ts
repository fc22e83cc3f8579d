/**
 * `node tools/bin/run.cjs postIncident <event.json>`: what the post-incident workflow files when
 * an issue is closed. A P1 or P2 incident issue (label `incident`, from the Incident form) closed
 * as completed gets its post-incident review issue, due 48 hours after the close
 * (docs/incident-response.md); anything else gets nothing. Prints the review as JSON, or
 * `{"skip": "<why>"}`.
 */
import { readFileSync } from "node:fs";
import { EXIT_USAGE, UsageError } from "./plan/cli";

/** The source documents: the review is held within 48 hours. */
export const REVIEW_DUE_HOURS = 48;
const REVIEWED_PRIORITIES = ["P1", "P2"];

interface IssueEvent {
    action: string;
    issue: {
        number: number;
        title: string;
        body: string | null;
        html_url: string;
        closed_at: string | null;
        state_reason?: string | null;
        labels: Array<{ name: string }>;
    };
}

export type Review = { skip: string } | { title: string; body: string; labels: string[]; assignees: string[]; marker: string };

/** An issue form's answer: the text under its `### <label>` heading. */
function answer(body: string, label: string): string | undefined {
    // Up to the next heading or the end of the body (no `m` flag: `$` would end the answer at its first line).
    const match = new RegExp(`(?:^|\\n)### ${label}[ \\t]*\\n+([\\s\\S]*?)(?=\\n### |(?![\\s\\S]))`).exec(body);
    const text = match?.[1]?.trim();
    return text && text !== "_No response_" ? text : undefined;
}

export function reviewFor(event: IssueEvent): Review {
    const { issue } = event;
    if (event.action !== "closed") return { skip: `the issue was ${event.action}, not closed` };
    if (!issue.labels.some((l) => l.name === "incident")) return { skip: "not an incident issue (no incident label)" };
    if (issue.state_reason === "not_planned" || issue.state_reason === "duplicate")
        return { skip: `closed as ${issue.state_reason.replace("_", " ")}: no incident to review` };
    const body = issue.body ?? "";
    const priority = /^P[1-4]/.exec(answer(body, "Priority") ?? "")?.[0];
    if (!priority) return { skip: "the incident names no priority" };
    if (!REVIEWED_PRIORITIES.includes(priority)) return { skip: `a ${priority} incident: the review is optional` };
    const closed = new Date(issue.closed_at ?? Date.now());
    const due = new Date(closed.getTime() + REVIEW_DUE_HOURS * 3600_000);
    const dueText = `${due.toISOString().slice(0, 16).replace("T", " ")} UTC`;
    const commander = /@([A-Za-z0-9-]+)/.exec(answer(body, "Incident commander") ?? "")?.[1];
    const marker = `Post-incident review of #${issue.number}`;
    const title = `[Review] ${issue.title.replace(/^\[Incident\]\s*/, "")} (due ${dueText.slice(0, 10)})`;
    const text = [
        `${marker}: ${issue.html_url}`,
        "",
        `**Due: ${dueText}**, ${REVIEW_DUE_HOURS} hours after the incident was closed. Blameless: systems and decisions, not people.`,
        "",
        "### Metadata",
        "",
        `- Priority: ${priority}`,
        `- Affected service: ${answer(body, "Affected service") ?? "(from the incident)"}`,
        `- Started: ${answer(body, "Started \\(UTC\\)") ?? "(from the incident)"}; closed: ${closed.toISOString().slice(0, 16).replace("T", " ")} UTC`,
        `- Incident commander: ${commander ? `@${commander}` : "(from the incident)"}`,
        `- Alert and runbook: ${answer(body, "Alert and runbook") ?? "none"}`,
        "",
        "### Executive summary",
        "",
        "### What happened (timeline)",
        "",
        answer(body, "Timeline") ?? "",
        "",
        "### Impact",
        "",
        answer(body, "Impact") ?? "",
        "",
        "### Root cause analysis",
        "",
        "- Immediate cause:\n- Contributing factors:\n- Root cause (5 whys):",
        "",
        "### What went well",
        "",
        "### What could be improved",
        "",
        "Did the alert page once, at its priority, with a runbook that said what to do?",
        "",
        "### Action items",
        "",
        "| action | owner | due | issue |\n|---|---|---|---|\n|  | @ | YYYY-MM-DD | # |",
        "",
        "### Lessons learned",
        "",
    ].join("\n");
    return { title, body: text, labels: ["post-incident-review", priority], assignees: commander ? [commander] : [], marker };
}

if (require.main === module) {
    try {
        const [path] = process.argv.slice(2);
        if (!path) throw new UsageError("usage: node tools/bin/run.cjs postIncident <event.json>");
        process.stdout.write(`${JSON.stringify(reviewFor(JSON.parse(readFileSync(path, "utf8")) as IssueEvent))}\n`);
    } catch (error) {
        process.stderr.write(`${(error as Error).message}\n`);
        process.exit(EXIT_USAGE);
    }
}
