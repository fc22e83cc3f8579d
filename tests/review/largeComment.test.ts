/**
 * The PR comment at scale: three more regions, both existing VPCs on new ranges (replacements
 * that cascade) and a renamed Worker, planned through the CLI against the committed baseline.
 * Every deletion and replacement is in the comment, first; it stays under GitHub's limit.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PlanDocument } from "../../tools/plan/document";
import { planDiff } from "../../tools/plan/diff";
import { ROOT, runTool } from "../helpers/cli";
import { scratchDir } from "../helpers/scratch";

const GITHUB_COMMENT_LIMIT = 65_536;
const NEW_REGIONS = [
    ["eu-west-1", "10.2.0.0/16"],
    ["eu-central-1", "10.3.0.0/16"],
    ["ap-southeast-2", "10.4.0.0/16"],
] as const;

it("a 250+ resource change: every deletion and replacement listed first, the comment under 65,536 characters", () => {
    const dir = scratchDir("large-change");
    let stackFile = readFileSync(join(ROOT, "Pulumi.production.yaml"), "utf8");
    stackFile = stackFile
        .replace("cidrBlock: 10.0.0.0/16", "cidrBlock: 10.10.0.0/16")
        .replace("cidrBlock: 10.1.0.0/16", "cidrBlock: 10.11.0.0/16");
    stackFile = stackFile.replace(
        "      standby: true\n",
        `      standby: true\n${NEW_REGIONS.map(([region, cidr]) => `    - region: ${region}\n      cidrBlock: ${cidr}\n      standby: true\n`).join("")}`,
    );
    stackFile = stackFile.replace(
        "  ops-platform:fleet:\n    certificateArns:\n",
        `  ops-platform:fleet:\n    certificateArns:\n${NEW_REGIONS.map(([region]) => `      ${region}: arn:aws:acm:${region}:111122223333:certificate/00000000-0000-4000-8000-000000000000\n`).join("")}`,
    );
    stackFile = stackFile.replace("config:\n", "config:\n  ops-platform:edge:\n    workerName: ai-gateway\n");
    writeFileSync(join(dir, "Pulumi.production.yaml"), stackFile);

    const out = join(dir, "production.json");
    const markdown = join(dir, "production.md");
    const baseline = join(ROOT, "plans", "production.json");
    const result = runTool("plan", ["production", "--config-dir", dir, "--baseline", baseline, "--json", out, "--markdown", markdown]);
    expect(result.stderr).toBe("");

    const { changes } = planDiff(
        JSON.parse(readFileSync(baseline, "utf8")) as PlanDocument,
        JSON.parse(readFileSync(out, "utf8")) as PlanDocument,
    );
    expect(changes.length).toBeGreaterThanOrEqual(250);
    const destructive = changes.filter((c) => c.kind === "delete" || c.kind === "replace");
    expect(destructive.filter((c) => c.kind === "replace").length).toBeGreaterThanOrEqual(18);

    const comment = readFileSync(markdown, "utf8");
    expect(comment.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    const missing = destructive.filter((c) => !comment.includes(`\`${c.name}\``));
    expect(missing.map((c) => `${c.kind} ${c.name}`)).toEqual([]);
    // They come first, unfolded, before any folded section; the comment says what was left out and where it all is.
    const listed = comment.indexOf("#### Deletions and replacements");
    expect(listed).toBeGreaterThan(0);
    expect(comment.slice(0, listed)).not.toContain("<details>");
    expect(comment).toContain("the full report is in the job summary and the `plan-report` artifact");
    expect(comment).toContain(`against the baseline \`${baseline}\``);
    expect(comment).toMatch(/Planned commit `[0-9a-f]{7,12}`/);
    expect(readFileSync(`${markdown}.full.md`, "utf8").length).toBeGreaterThan(comment.length);
});

it("shows the keys that changed inside a JSON document, not two cut strings", async () => {
    const { readableChanges } = await import("../../tools/plan/diff");
    const before = JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "Deny",
                Effect: "Deny",
                Resource: "arn:aws:backup:us-east-1:111122223333:backup-vault:ops-platform-production",
                Action: ["backup:DeleteRecoveryPoint"],
            },
        ],
    });
    const after = JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Sid: "Deny", Effect: "Deny", Resource: "*", Action: ["backup:DeleteRecoveryPoint"] }],
    });
    expect(readableChanges([{ path: "policy", before, after }])).toEqual([
        {
            path: "policy Statement[0].Resource",
            before: "arn:aws:backup:us-east-1:111122223333:backup-vault:ops-platform-production",
            after: "*",
        },
    ]);
});
