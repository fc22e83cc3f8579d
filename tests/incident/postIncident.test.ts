/**
 * The post-incident workflow's logic (tools/postIncident.ts) on issue events as GitHub sends
 * them, with bodies as the Incident form renders them (### <label>, then the answer).
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { REVIEW_DUE_HOURS, reviewFor } from "../../tools/postIncident";
import { ROOT } from "../helpers/cli";
import { scratchDir } from "../helpers/scratch";

const formBody = (priority: string) =>
    [
        "### Priority",
        "",
        priority,
        "",
        "### Incident commander",
        "",
        "@jane-doe",
        "",
        "### Affected service",
        "",
        "gateway (the Worker, its providers, client keys)",
        "",
        "### Started (UTC)",
        "",
        "2026-12-03 14:32 UTC",
        "",
        "### Alert and runbook",
        "",
        "_No response_",
        "",
        "### Impact",
        "",
        "40% of chat completions failed",
        "",
        "### War room",
        "",
        "#incident-2026-12-03-gateway-errors",
        "",
        "### Timeline",
        "",
        "- 14:32 UTC: GatewayHighErrorRate fired",
        "- 14:35 UTC: acknowledged by @jane-doe",
        "- 14:40 UTC: previous Worker version pinned",
    ].join("\n");

const event = (changes: { action?: string; priority?: string; labels?: string[]; state_reason?: string }) => ({
    action: changes.action ?? "closed",
    issue: {
        number: 42,
        title: "[Incident] gateway: 5xx after deploy",
        body: formBody(changes.priority ?? "P1: service down, acknowledge < 5 min, respond immediately 24/7, updates every 30 min"),
        html_url: "https://github.com/example-org/ops-platform/issues/42",
        closed_at: "2026-12-03T16:00:00Z",
        state_reason: changes.state_reason ?? "completed",
        labels: (changes.labels ?? ["incident"]).map((name) => ({ name })),
    },
});

it("a closed P1 incident opens its review, due 48 hours later, assigned to its commander", () => {
    const review = reviewFor(event({}));
    expect(review).toMatchObject({
        title: "[Review] gateway: 5xx after deploy (due 2026-12-05)",
        labels: ["post-incident-review", "P1"],
        assignees: ["jane-doe"],
        marker: "Post-incident review of #42",
    });
    expect(REVIEW_DUE_HOURS).toBe(48);
    const body = (review as { body: string }).body;
    expect(body).toContain("**Due: 2026-12-05 16:00 UTC**");
    expect(body).toContain("- Alert and runbook: none");
    // A multi-line answer is taken whole, up to the next heading.
    expect(body).toContain(
        "- 14:32 UTC: GatewayHighErrorRate fired\n- 14:35 UTC: acknowledged by @jane-doe\n- 14:40 UTC: previous Worker version pinned",
    );
    expect(body).toContain("40% of chat completions failed");
});

it("a P2 incident is reviewed too; P3 and P4 are not", () => {
    expect(reviewFor(event({ priority: "P2: degraded, acknowledge < 15 min, respond < 30 min, updates every 1-2 h" }))).toMatchObject({
        labels: ["post-incident-review", "P2"],
    });
    expect(reviewFor(event({ priority: "P3: partial, acknowledge < 4 business hours, same business day, daily updates" }))).toEqual({
        skip: "a P3 incident: the review is optional",
    });
    expect(reviewFor(event({ priority: "P4: minor, next business day" }))).toEqual({ skip: "a P4 incident: the review is optional" });
});

it("opens nothing for other issues, reopenings, or an incident closed as not planned", () => {
    expect(reviewFor(event({ labels: ["bug"] }))).toEqual({ skip: "not an incident issue (no incident label)" });
    expect(reviewFor(event({ action: "reopened" }))).toEqual({ skip: "the issue was reopened, not closed" });
    expect(reviewFor(event({ state_reason: "not_planned" }))).toEqual({ skip: "closed as not planned: no incident to review" });
    expect(reviewFor(event({ state_reason: "duplicate" }))).toEqual({ skip: "closed as duplicate: no incident to review" });
    expect(reviewFor(event({ priority: "_No response_" }))).toEqual({ skip: "the incident names no priority" });
});

it("runs as the workflow runs it, on the event file", () => {
    const path = join(scratchDir("post-incident"), "event.json");
    writeFileSync(path, JSON.stringify(event({})));
    const out = JSON.parse(execFileSync(process.execPath, ["tools/bin/run.cjs", "postIncident", path], { cwd: ROOT, encoding: "utf8" }));
    expect(out.labels).toEqual(["post-incident-review", "P1"]);
});
