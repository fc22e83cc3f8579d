/**
 * The risk gate's decision table (tools/gate.ts) on risks scored from plan documents, with and
 * without approvals and labels, inside and outside production's change windows; and changes that
 * broaden access scored higher (tools/plan/risk.ts `broadens`).
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CHANGE_REVIEW_LABEL, EMERGENCY_LABEL, followUpIssue, gateDecision, inWindow } from "../../tools/gate";
import type { PlanDocument } from "../../tools/plan/document";
import { planDiff } from "../../tools/plan/diff";
import { broadens, changeRisk, type Risk } from "../../tools/plan/risk";
import { ROOT, runToolAsync } from "../helpers/cli";
import { planOf } from "../helpers/plan";
import { scratchDir } from "../helpers/scratch";

const risk = (riskClass: Risk["riskClass"], score = 30): Risk => ({
    impact: 1,
    likelihood: 1,
    complexity: 1,
    score,
    riskClass,
    reasons: [],
});
const control = {
    windows: [{ weekdays: ["monday", "tuesday", "wednesday", "thursday"] as const, start: "09:00", end: "16:00" }],
    timeZone: "UTC",
    reviewers: ["platform-lead"],
};
const INSIDE = new Date("2026-12-03T12:00:00Z"); // a Thursday, noon
const OUTSIDE = new Date("2026-12-04T20:00:00Z"); // a Friday evening
const gate = (
    production: Risk["riskClass"],
    approvals: string[] = [],
    labels: string[] = [],
    at = INSIDE,
    dev: Risk["riskClass"] = "none",
) =>
    gateDecision({
        risks: { dev: risk(dev), staging: risk("none", 0), production: risk(production) },
        approvals,
        labels,
        at,
        changeControl: { ...control, windows: control.windows.map((w) => ({ ...w, weekdays: [...w.weekdays] })) },
    });

it.each<[string, Risk["riskClass"], string[], string[], Date, "pass" | "blocked", string]>([
    ["standard passes with no review", "standard", [], [], INSIDE, "pass", "standard: pre-approved"],
    ["normal without a review", "normal", [], [], INSIDE, "blocked", "a normal change needs one approving review"],
    ["normal with one", "normal", ["alice"], [], INSIDE, "pass", "normal: its approvals are in"],
    ["high-risk with one", "high-risk", ["alice"], [], INSIDE, "blocked", "a high-risk change needs two approving reviews; it has 1"],
    [
        "high-risk with two, none of production's reviewers",
        "high-risk",
        ["alice", "bob"],
        [],
        INSIDE,
        "blocked",
        "an approval from production's reviewers (platform-lead)",
    ],
    [
        "high-risk with two, one of them production's reviewer",
        "high-risk",
        ["alice", "platform-lead"],
        [],
        INSIDE,
        "pass",
        "high-risk: its approvals are in",
    ],
    ["emergency without its label", "emergency", ["alice", "platform-lead"], [], INSIDE, "blocked", `needs the ${EMERGENCY_LABEL} label`],
    [
        "emergency with its label, even outside a window",
        "emergency",
        [],
        [EMERGENCY_LABEL],
        OUTSIDE,
        "pass",
        "emergency: its approvals are in",
    ],
    ["a production change outside the windows", "standard", [], [], OUTSIDE, "blocked", "outside its change windows"],
])("%s", (_, production, approvals, labels, at, decision, reason) => {
    const d = gate(production, approvals, labels, at);
    expect(d.decision).toBe(decision);
    expect(d.reasons.join("\n")).toContain(reason);
    expect(d.followUp !== undefined).toBe(production === "emergency" && decision === "pass");
});

it("lets a change that touches no production resource through outside the windows, and takes the worst stack's class", () => {
    expect(gate("none", [], [], OUTSIDE, "normal")).toMatchObject({ decision: "blocked", riskClass: "normal" });
    expect(gate("none", ["alice"], [], OUTSIDE, "normal")).toMatchObject({ decision: "pass" });
});

it("reads the windows in their time zone", () => {
    const berlin = {
        ...control,
        weekdays: undefined,
        windows: [{ weekdays: ["thursday" as const], start: "09:00", end: "10:00" }],
        timeZone: "Europe/Berlin",
    };
    expect(inWindow(new Date("2026-12-03T08:30:00Z"), berlin)).toBe(true); // 09:30 in Berlin
    expect(inWindow(new Date("2026-12-03T09:30:00Z"), berlin)).toBe(false);
});

describe("changes that broaden access score higher", () => {
    const docOf = async (edit: (d: PlanDocument) => void = () => undefined) => {
        const { stack, resources, outputs, findings } = await planOf("production");
        const doc = JSON.parse(JSON.stringify({ stack, resources, outputs, findings })) as PlanDocument;
        edit(doc);
        return doc;
    };
    const policyOf = (d: PlanDocument) => d.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy")!;

    it("an IAM policy gaining an action", async () => {
        const before = await docOf();
        const widened = await docOf((d) => {
            const policy = JSON.parse(String(policyOf(d).inputs["policy"]));
            policy.Statement.push({ Effect: "Allow", Action: "s3:*", Resource: "*" });
            policyOf(d).inputs["policy"] = JSON.stringify(policy);
        });
        const renamed = await docOf((d) => {
            const policy = JSON.parse(String(policyOf(d).inputs["policy"]));
            policy.Statement[0].Sid = "Renamed";
            policyOf(d).inputs["policy"] = JSON.stringify(policy);
        });
        const [wide] = planDiff(before, widened).changes;
        const [same] = planDiff(before, renamed).changes;
        expect(broadens(wide!)).toBe("IAM allows s3:* *");
        expect(broadens(same!)).toBeUndefined();
        expect(changeRisk("production", [wide!]).score).toBeGreaterThan(changeRisk("production", [same!]).score);
    });

    it("a security group gaining ingress", async () => {
        const before = await docOf();
        const after = await docOf((d) => {
            const rule = d.resources.find((r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")!;
            d.resources.push({
                ...rule,
                urn: `${rule.urn}-ssh`,
                name: `${rule.name}-ssh`,
                inputs: { ...rule.inputs, fromPort: 22, toPort: 22 },
            });
        });
        const [added] = planDiff(before, after).changes;
        expect([added!.kind, broadens(added!)]).toEqual(["add", "new ingress"]);
        expect(changeRisk("production", [added!]).likelihood).toBe(4);
    });
});

it("runs from plan documents as the workflow runs it, and exits 1 when blocked", () => {
    const dir = scratchDir("gate");
    mkdirSync(join(dir, "plans"));
    for (const stack of ["dev", "staging", "production"])
        copyFileSync(join(ROOT, "plans", `${stack}.json`), join(dir, "plans", `${stack}.json`));
    // Production's fleet on a bigger instance type: a customer-facing update.
    const production = JSON.parse(readFileSync(join(dir, "plans", "production.json"), "utf8")) as PlanDocument;
    production.resources.find((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate")!.inputs["instanceType"] = "t3.large";
    writeFileSync(join(dir, "plans", "production.json"), JSON.stringify(production));
    const run = (at: string) => {
        const args = [
            "tools/bin/run.cjs",
            "gate",
            "--plans",
            join(dir, "plans"),
            "--baselines",
            join(ROOT, "plans"),
            "--approvals",
            "alice",
            "--at",
            at,
        ];
        try {
            return { code: 0, decision: JSON.parse(execFileSync(process.execPath, args, { cwd: ROOT, encoding: "utf8" })) };
        } catch (error) {
            return { code: (error as { status: number }).status, decision: JSON.parse(String((error as { stdout: string }).stdout)) };
        }
    };
    expect(run("2026-12-03T12:00:00Z")).toMatchObject({ code: 0, decision: { decision: "pass" } });
    const friday = run("2026-12-04T20:00:00Z");
    expect(friday.code).toBe(1);
    expect(friday.decision.reasons.join("\n")).toContain("production changes outside its change windows");
});

describe("an emergency change's follow-up review", () => {
    it("is the source documents' emergency process as an issue: documentation within 24 hours, the post-change review", () => {
        const issue = followUpIssue({
            number: 77,
            title: "Drop the broken rule",
            url: "https://github.com/example-org/ops-platform/pull/77",
        });
        expect(issue.title).toBe("[Review] emergency change #77: Drop the broken rule");
        expect(issue.body).toContain("https://github.com/example-org/ops-platform/pull/77");
        for (const step of ["within 24 hours", "Executive approval", "Heightened monitoring", "Full team notified", "Post-change review"])
            expect(issue.body).toContain(step);
    });

    it("is printed by npm run gate -- --follow-up for the merge workflow, which opens it with a label that exists", async () => {
        const result = await runToolAsync("gate", ["--follow-up", "--pr", "77"], {
            PR_TITLE: 'Fix "quoted" $(title)',
            PR_URL: "https://github.com/example-org/ops-platform/pull/77",
        });
        expect(result.status).toBe(0);
        expect(JSON.parse(result.stdout)).toEqual(
            followUpIssue({ number: 77, title: 'Fix "quoted" $(title)', url: "https://github.com/example-org/ops-platform/pull/77" }),
        );
        const workflow = readFileSync(join(ROOT, ".github", "workflows", "emergency-review.yml"), "utf8");
        expect(workflow).toContain("contains(github.event.pull_request.labels.*.name, 'emergency-change')");
        expect(workflow).toContain(`--label ${CHANGE_REVIEW_LABEL}`);
        const labels = readFileSync(join(ROOT, ".github", "workflows", "labels.yml"), "utf8");
        for (const label of [EMERGENCY_LABEL, CHANGE_REVIEW_LABEL]) expect(labels).toMatch(new RegExp(`^\\s+${label}\\|`, "m"));
    });
});
