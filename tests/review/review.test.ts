import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { serializeDocument, type PlanDocument } from "../../tools/plan/document";
import { renderStackMarkdown } from "../../tools/plan/markdown";
import { backupCoverage } from "../../tools/plan/coverage";
import { isIgnored, planDiff, type ResourceChange } from "../../tools/plan/diff";
import { changeRisk } from "../../tools/plan/risk";
import { ROOT, runTool } from "../helpers/cli";
import { planOf, STACKS } from "../helpers/plan";
import { scratchDir } from "../helpers/scratch";

/** The PR comment for the change from `before` to `after`, as `npm run plan -- --markdown` builds it. */
const commentOf = (stack: string, before: PlanDocument, after: PlanDocument, maxChars?: number) => {
    const { changes, ignored } = planDiff(before, after);
    return renderStackMarkdown(
        { stack, doc: after, changes, ignored, risk: changeRisk(stack, changes), coverage: backupCoverage(after), findings: [] },
        maxChars,
    );
};

const documentOf = async (stack: string): Promise<PlanDocument> => {
    const { config: _config, ...doc } = await planOf(stack);
    return doc;
};

it.each(STACKS)("the committed baseline plans/%s.json is what the program produces now", async (stack) => {
    const committed = readFileSync(join(ROOT, "plans", `${stack}.json`), "utf8");
    const current = serializeDocument(await documentOf(stack));
    if (committed !== current)
        throw new Error(
            `plans/${stack}.json is stale; refresh it with: npm run plan -- ${stack} --json plans/${stack}.json (or npm run baselines)`,
        );
});

describe("diff against a baseline", () => {
    it("reports nothing when nothing changed, and says so in one line", async () => {
        const doc = await documentOf("dev");
        expect(planDiff(doc, doc).changes).toEqual([]);
        expect(commentOf("dev", doc, doc).comment).toBe("### **dev**: no changes.");
    });

    it("tells an update from a replace and names the input that forces it", async () => {
        const before = await documentOf("production");
        const after: PlanDocument = structuredClone(before);
        const vault = after.resources.find((r) => r.type === "aws:backup/vault:Vault" && r.name.endsWith("-dr"))!;
        vault.inputs["name"] = "renamed-vault";
        const lt = after.resources.find((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate")!;
        lt.inputs["instanceType"] = "t3.large";
        after.resources = after.resources.filter((r) => r.type !== "aws:ec2/flowLog:FlowLog" || !r.name.includes("us-west-2"));
        const changes = planDiff(before, after).changes;
        expect(changes.map((c) => [c.kind, c.type, c.replaceKeys])).toEqual(
            expect.arrayContaining([
                ["replace", "aws:backup/vault:Vault", ["name"]],
                ["update", "aws:ec2/launchTemplate:LaunchTemplate", []],
                ["delete", "aws:ec2/flowLog:FlowLog", []],
            ]),
        );
        expect(changes.find((c) => c.type === "aws:ec2/launchTemplate:LaunchTemplate")!.changes).toEqual([
            { path: "instanceType", before: "t3.medium", after: "t3.large" },
        ]);
        const md = commentOf("production", before, after);
        expect(md.comment).toContain("> **Replaces stateful Vault `ops-platform-production-backup-dr`** (because of `name`)");
        expect(md.comment).not.toMatch(/\x1b\[/);
    });
});

describe("the diff says what pulumi up would do", () => {
    it("lists a change that ignoreChanges keeps out (the group's desiredCapacity) as ignored, never as a scored update", async () => {
        const before = await documentOf("production");
        const after: PlanDocument = structuredClone(before);
        const group = after.resources.find((r) => r.type === "aws:autoscaling/group:Group")!;
        expect(group.options.ignoreChanges).toEqual(["desiredCapacity"]);
        group.inputs["desiredCapacity"] = Number(group.inputs["desiredCapacity"]) + 2;
        const { changes, ignored } = planDiff(before, after);
        expect(changes).toEqual([]);
        expect(changeRisk("production", changes).riskClass).toBe("none");
        expect(ignored.map((c) => [c.name, c.changes.map((p) => p.path)])).toEqual([[group.name, ["desiredCapacity"]]]);
        expect(commentOf("production", before, after).comment).toBe("### **production**: no changes.");
    });

    it.each([
        ["desiredCapacity", ["desiredCapacity"], true],
        ["tags.Name", ["tags"], true],
        ["tags.Name", ['tags["Name"]'], true],
        ["bindings[VERSION].text", ["bindings[*].text"], true],
        ["rules[0].expr", ["rules[0].expr"], true],
        // Element 0, not any element: a named element is never ignored by its number.
        ["rules[EndpointDown].expr", ["rules[0].expr"], false],
        ["desiredCapacityType", ["desiredCapacity"], false],
        ["maxSize", ["desiredCapacity"], false],
    ])("isIgnored(%s, %j) is %s", (path, ignore, expected) => expect(isIgnored(path, ignore)).toBe(expected));

    it("names a list's elements the same way on both sides, and reports a reorder of a named list", () => {
        const doc = (bindings: Array<{ name: string; text: string }>): PlanDocument => ({
            stack: "dev",
            resources: [{ urn: "urn:x", type: "aws:ssm/parameter:Parameter", name: "p", inputs: { bindings }, options: {} }],
            outputs: {},
            findings: [],
        });
        const a = { name: "A", text: "1" };
        const b = { name: "B", text: "2" };
        // A duplicate name on one side makes both sides positional: one changed element, not a delete and a re-add of each.
        expect(planDiff(doc([a, b]), doc([a, { ...a, text: "3" }])).changes[0]!.changes.map((p) => p.path)).toEqual([
            "bindings[1].name",
            "bindings[1].text",
        ]);
        expect(planDiff(doc([a, b]), doc([b, a])).changes[0]!.changes).toEqual([
            { path: "bindings (order)", before: ["A", "B"], after: ["B", "A"] },
        ]);
        expect(planDiff(doc([a]), doc([a, b])).changes[0]!.changes.map((p) => p.path)).toEqual(["bindings[B].name", "bindings[B].text"]);
    });

    it("names a changed Worker binding by its name, not its position", async () => {
        const before = await documentOf("production");
        const after: PlanDocument = structuredClone(before);
        const version = after.resources.find((r) => r.type === "cloudflare:index/workerVersion:WorkerVersion")!;
        (version.inputs["bindings"] as Array<{ name: string; text?: string }>).find((b) => b.name === "RATE_LIMIT_MAX_REQUESTS")!.text =
            "3000";
        const change = planDiff(before, after).changes.find((c) => c.type === "cloudflare:index/workerVersion:WorkerVersion")!;
        expect(change.changes.map((p) => p.path)).toEqual(["bindings[RATE_LIMIT_MAX_REQUESTS].text"]);
        // The version is immutable: whatever changes in it replaces it, named the same way.
        expect([change.kind, change.replaceKeys]).toEqual(["replace", ["bindings[RATE_LIMIT_MAX_REQUESTS].text"]]);
    });
});

describe("change risk (README: Change risk)", () => {
    const change = (kind: ResourceChange["kind"], type: string, component: string, stateful = false): ResourceChange => ({
        urn: `urn:${type}:${component}`,
        type,
        name: "x",
        kind,
        changes: [],
        replaceKeys: [],
        stateful,
        protected: false,
        component,
    });
    it.each([
        ["an added alarm in dev", "dev", [change("add", "aws:cloudwatch/metricAlarm:MetricAlarm", "fleet")], 1, 1, 1, "standard"],
        ["a flow-log update in staging", "staging", [change("update", "aws:ec2/flowLog:FlowLog", "network")], 2, 2, 1, "standard"],
        [
            "a load balancer update in production",
            "production",
            [change("update", "aws:lb/loadBalancer:LoadBalancer", "fleet")],
            5,
            2,
            1,
            "standard",
        ],
        [
            "a stateful update across two areas and providers in production",
            "production",
            [
                change("update", "aws:backup/vault:Vault", "backup", true),
                change("update", "cloudflare:index/loadBalancer:LoadBalancer", "edge"),
            ],
            5,
            3,
            3,
            "normal",
        ],
        [
            "replacing a vault with edge and fleet changes in production",
            "production",
            [
                change("replace", "aws:backup/vault:Vault", "backup", true),
                change("update", "aws:lb/listener:Listener", "fleet"),
                change("update", "cloudflare:index/workerVersion:WorkerVersion", "edge"),
            ],
            5,
            5,
            3,
            "high-risk",
        ],
        [
            "deleting a stateful table in staging",
            "staging",
            [change("delete", "aws:dynamodb/table:Table", "backup", true), change("update", "aws:lb/listener:Listener", "fleet")],
            3,
            5,
            2,
            "normal",
        ],
    ] as const)("%s", (_, stack, changes, impact, likelihood, complexity, riskClass) => {
        const risk = changeRisk(stack, [...changes]);
        expect([risk.impact, risk.likelihood, risk.complexity, risk.riskClass]).toEqual([impact, likelihood, complexity, riskClass]);
        expect(risk.score).toBe(impact * likelihood * complexity);
    });

    it("scores a replacement of an ordinary resource across three areas as normal (21-50)", () => {
        const risk = changeRisk("production", [
            change("replace", "aws:lb/targetGroup:TargetGroup", "fleet"),
            change("update", "aws:backup/plan:Plan", "backup"),
            change("update", "aws:ec2/vpc:Vpc", "network"),
        ]);
        expect([risk.score, risk.riskClass]).toEqual([5 * 3 * 3, "normal"]);
    });

    it("keeps routine changes out of complexity and names what drove each factor", () => {
        const risk = changeRisk("production", [
            change("replace", "cloudflare:index/workerVersion:WorkerVersion", "edge"),
            change("replace", "cloudflare:index/workersDeployment:WorkersDeployment", "edge"),
            change("update", "aws:cloudwatch/logGroup:LogGroup", "network"),
        ]);
        expect([risk.impact, risk.likelihood, risk.complexity, risk.riskClass]).toEqual([4, 2, 1, "standard"]);
        expect(risk.reasons).toEqual(["impact 4: production", "likelihood 2: update of LogGroup x", "complexity 1: network"]);
    });
});

it("says the CACHE namespace is not exported, as the policy kv-namespaces-exported does, and STATE is", async () => {
    const rows = backupCoverage(await documentOf("production")).filter(
        (r) => r.type === "cloudflare:index/workersKvNamespace:WorkersKvNamespace",
    );
    expect(rows.map((r) => [r.name, r.coveredBy, r.note])).toEqual([
        ["ops-platform-production-edge-cache", undefined, "not exported: bound as CACHE, a cache refilled on a miss"],
        ["ops-platform-production-edge-state", "Worker cron export to R2 (binding STATE)", undefined],
    ]);
});

it("lists every backup-capable resource with its tier and plan, and the uncovered ones", async () => {
    const doc = await documentOf("production");
    const rows = backupCoverage(doc);
    expect(rows.filter((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate").map((r) => [r.tier, r.rpo, r.rto, r.coveredBy])).toEqual([
        ["high", "1 h", "4 h", "ops-platform-production-high"],
        ["high", "1 h", "4 h", "ops-platform-production-high"],
    ]);
    const uncovered: PlanDocument = structuredClone(doc);
    uncovered.resources = uncovered.resources.filter((r) => !(r.type === "aws:backup/selection:Selection" && r.name.endsWith("-high")));
    expect(backupCoverage(uncovered).filter((r) => !r.coveredBy && !r.note).length).toBe(4);
});

it("trims a long comment to the limit, keeping the summary, with the full report beside it", async () => {
    const before = await documentOf("production");
    const after: PlanDocument = structuredClone(before);
    for (const r of after.resources) r.inputs["description"] = `changed ${r.name}`;
    const md = commentOf("production", before, after, 8000);
    expect(md.trimmed).toBe(true);
    expect(md.comment.length).toBeLessThanOrEqual(8000);
    expect(md.comment).toMatch(/^### \*\*production\*\*: 0 to add, \d+ to update/);
    expect(md.comment).toContain("full report is in the job summary");
    expect(md.full.length).toBeGreaterThan(8000);
});

it("a changed stack file in a scratch copy yields a diff, a risk class and a comment that name it", () => {
    const dir = scratchDir("review");
    const stackFile = readFileSync(join(ROOT, "Pulumi.staging.yaml"), "utf8")
        .replace("      maxSize: 4\n", "      maxSize: 6\n")
        .replace("    storageSize: 50Gi\n", "    storageSize: 80Gi\n");
    writeFileSync(join(dir, "Pulumi.staging.yaml"), stackFile);
    const result = runTool("plan", [
        "staging",
        "--config-dir",
        dir,
        "--baseline",
        join(ROOT, "plans", "staging.json"),
        "--markdown",
        join(dir, "comment.md"),
    ]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("~ update aws:autoscaling/group:Group ops-platform-staging-us-east-1-web");
    expect(result.stdout).toContain("maxSize: 4 -> 6");
    expect(result.stdout).toContain("risk standard (18 = 3 x 2 x 3)");
    const comment = readFileSync(join(dir, "comment.md"), "utf8");
    expect(comment).toMatch(
        /^### \*\*staging\*\*: 0 to add, 2 to update, 0 to replace, 0 to delete — risk \*\*standard\*\* \(18 = impact 3 × likelihood 2 × complexity 3\)/,
    );
    expect(comment).toContain("`maxSize`: `4` → `6`");
    expect(comment).toContain("```mermaid");
});
