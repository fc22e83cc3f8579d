/**
 * `npm run gate -- --plans DIR --baselines DIR [--approvals a,b] [--labels x,y] [--at ISO] [--markdown FILE]`
 *
 * The risk gate of a pull request, from plan documents (never terminal text): each stack's
 * `<stack>.json` in --plans is diffed with the same file in --baselines and scored
 * (tools/plan/risk.ts); the worst class decides, as the source documents' change management
 * asks: standard passes; normal needs one approving review; high-risk two, one of them from
 * production's reviewers (changeControl.reviewers); emergency (76 and over) the
 * `emergency-change` label, and it opens a follow-up review. A production change outside
 * production's change windows waits, unless it is an emergency. Exit 0 pass, 1 blocked.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ChangeControlConfig } from "../config/schema";

/** What the gate reads of production's change control (the wait timer is the environment's: guardrails/). */
type GateControl = Pick<ChangeControlConfig, "windows" | "timeZone" | "reviewers">;
import { EXIT_USAGE, UsageError, parseArgs, wantsHelp } from "./plan/cli";
import { planDiff } from "./plan/diff";
import { readPlanDocument } from "./plan/document";
import { RISK_ORDER, changeRisk, type Risk } from "./plan/risk";
import { everyStackConfig } from "./plan/stackFile";
import { STACK_NAMES } from "../policies/lib/environments";

export const EMERGENCY_LABEL = "emergency-change";

export interface GateInput {
    risks: Record<string, Risk>;
    /** GitHub logins whose latest review approves. */
    approvals: string[];
    labels: string[];
    at: Date;
    /** Production's change control. */
    changeControl: GateControl;
}

/** The label of the follow-up review an emergency change opens when it merges. */
export const CHANGE_REVIEW_LABEL = "change-review";

/**
 * The review an emergency change owes once merged, as the source documents' emergency change
 * process asks (it-operations SKILL.md): documentation within 24 hours, a mandatory post-change
 * review. The merge workflow opens it (.github/workflows/emergency-review.yml).
 */
export function followUpIssue(pr: { number: number; title: string; url: string }): { title: string; body: string } {
    return {
        title: `[Review] emergency change #${pr.number}: ${pr.title}`,
        body: [
            `Emergency change ${pr.url} merged with the \`${EMERGENCY_LABEL}\` label, past the risk gate's approvals and change windows.`,
            "The source documents' emergency change process asks, and this issue tracks:",
            "",
            "- [ ] Documentation complete within 24 hours of the change: what it changed and why (the PR's plan and risk score are in its comment)",
            "- [ ] Executive approval recorded here (who, when)",
            "- [ ] Heightened monitoring during and after it: the dashboards and alerts watched, what they showed",
            "- [ ] Full team notified",
            "- [ ] Post-change review held: why it could not wait for a normal change, what would let the next one wait",
            "",
            `Close this issue once the review is done; it carries the \`${CHANGE_REVIEW_LABEL}\` label.`,
        ].join("\n"),
    };
}

export interface GateDecision {
    decision: "pass" | "blocked";
    riskClass: Risk["riskClass"];
    reasons: string[];
    /** An emergency change owes a review once merged (followUpIssue). */
    followUp?: string;
}

/** Whether `at` falls in one of the windows, in their time zone. */
export function inWindow(at: Date, control: GateControl): boolean {
    if (control.windows.length === 0) return true;
    const parts = Object.fromEntries(
        new Intl.DateTimeFormat("en-GB", {
            timeZone: control.timeZone,
            weekday: "long",
            hour: "2-digit",
            minute: "2-digit",
            hourCycle: "h23",
        })
            .formatToParts(at)
            .map((p) => [p.type, p.value]),
    );
    const day = String(parts["weekday"]).toLowerCase();
    const time = `${parts["hour"]}:${parts["minute"]}`;
    return control.windows.some((w) => (w.weekdays as string[]).includes(day) && time >= w.start && time < w.end);
}

export function gateDecision(input: GateInput): GateDecision {
    const entries = Object.entries(input.risks);
    const riskClass = entries.reduce<Risk["riskClass"]>(
        (worst, [, r]) => (RISK_ORDER.indexOf(r.riskClass) > RISK_ORDER.indexOf(worst) ? r.riskClass : worst),
        "none",
    );
    const reasons = entries.map(([stack, r]) => `${stack}: ${r.riskClass}${r.score > 0 ? ` (${r.score})` : ""}`);
    const blocked = (why: string): GateDecision => ({ decision: "blocked", riskClass, reasons: [...reasons, why] });
    const approvals = new Set(input.approvals);
    const emergency = riskClass === "emergency";
    if (emergency && !input.labels.includes(EMERGENCY_LABEL))
        return blocked(`an emergency change (76 and over) needs the ${EMERGENCY_LABEL} label, and a review after it lands`);
    const production = input.risks["production"];
    if (production && production.riskClass !== "none" && !emergency && !inWindow(input.at, input.changeControl))
        return blocked(
            `production changes outside its change windows (${input.changeControl.windows.map((w) => `${w.weekdays.join(",")} ${w.start}-${w.end}`).join("; ")} ${input.changeControl.timeZone}); merge inside one, or label ${EMERGENCY_LABEL} for an emergency`,
        );
    if (riskClass === "normal" && approvals.size < 1) return blocked("a normal change needs one approving review");
    if (riskClass === "high-risk") {
        if (approvals.size < 2) return blocked(`a high-risk change needs two approving reviews; it has ${approvals.size}`);
        const reviewers = input.changeControl.reviewers;
        if (reviewers.length > 0 && !reviewers.some((r) => approvals.has(r)))
            return blocked(`a high-risk change needs an approval from production's reviewers (${reviewers.join(", ")})`);
    }
    return {
        decision: "pass",
        riskClass,
        reasons: [
            ...reasons,
            riskClass === "none" || riskClass === "standard" ? "standard: pre-approved" : `${riskClass}: its approvals are in`,
        ],
        ...(emergency
            ? {
                  followUp: `on merge, a \`${CHANGE_REVIEW_LABEL}\` issue opens for its documentation within 24 hours and its post-change review`,
              }
            : {}),
    };
}

export function gateMarkdown(d: GateDecision): string {
    return [
        `### Risk gate: **${d.decision === "pass" ? "passed" : "blocked"}** (${d.riskClass})`,
        "",
        ...d.reasons.map((r) => `- ${r}`),
        ...(d.followUp ? [`- ${d.followUp}`] : []),
        "",
    ].join("\n");
}

const USAGE = `usage: npm run gate -- --plans DIR --baselines DIR [--approvals a,b] [--labels x,y] [--at ISO] [--markdown FILE]
       npm run gate -- --follow-up --pr N   (the merged emergency change's review issue as JSON; PR_TITLE, PR_URL from env)`;

function main(argv: string[]): number {
    if (wantsHelp(argv)) {
        process.stdout.write(`${USAGE}\n\nExit 0 when the change may merge, 1 when it is blocked (the reasons say why).\n`);
        return 0;
    }
    const { flags, switches } = parseArgs(argv, ["plans", "baselines", "approvals", "labels", "at", "markdown", "pr"], ["follow-up"]);
    if (switches.has("follow-up")) {
        const number = Number(flags["pr"]);
        const [title, url] = [process.env["PR_TITLE"], process.env["PR_URL"]];
        if (!Number.isInteger(number) || number <= 0 || !title || !url)
            throw new UsageError(`--follow-up needs --pr <number> and PR_TITLE and PR_URL in the environment\n${USAGE}`);
        process.stdout.write(`${JSON.stringify(followUpIssue({ number, title, url }))}\n`);
        return 0;
    }
    if (!flags["plans"] || !flags["baselines"]) throw new UsageError(USAGE);
    const configs = everyStackConfig();
    const risks = Object.fromEntries(
        STACK_NAMES.map((stack) => {
            const doc = readPlanDocument(join(flags["plans"]!, `${stack}.json`));
            const baseline = readPlanDocument(join(flags["baselines"]!, `${stack}.json`));
            const { changes } = planDiff(baseline, doc);
            const cost =
                baseline.cost && doc.cost
                    ? { beforeUsd: baseline.cost.monthlyUsd, afterUsd: doc.cost.monthlyUsd, riskShare: configs[stack]!.cost.riskShare }
                    : undefined;
            return [stack, changeRisk(stack, changes, cost)];
        }),
    );
    const at = flags["at"] ? new Date(flags["at"]) : new Date();
    if (Number.isNaN(at.getTime())) throw new UsageError(`--at ${flags["at"]}: expected an ISO 8601 time`);
    const list = (v?: string) =>
        v
            ? v
                  .split(",")
                  .map((x) => x.trim())
                  .filter(Boolean)
            : [];
    const decision = gateDecision({
        risks,
        approvals: list(flags["approvals"]),
        labels: list(flags["labels"]),
        at,
        changeControl: configs["production"]!.changeControl,
    });
    if (flags["markdown"]) writeFileSync(flags["markdown"], gateMarkdown(decision));
    process.stdout.write(`${JSON.stringify(decision)}\n`);
    return decision.decision === "pass" ? 0 : 1;
}

if (require.main === module) {
    try {
        process.exit(main(process.argv.slice(2)));
    } catch (error) {
        process.stderr.write(`${(error as Error).message}\n`);
        process.exit(error instanceof UsageError ? EXIT_USAGE : 3);
    }
}
