/**
 * Replacements that cascade: a new CIDR replaces a region's VPC, so everything that takes the
 * VPC's id (and whatever takes theirs) changes in a real preview, although the mocks hand the
 * same ids back. The diff must show every one of them.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PlanDocument } from "../../tools/plan/document";
import { planDiff } from "../../tools/plan/diff";
import { ROOT, runTool } from "../helpers/cli";
import { planOf } from "../helpers/plan";
import { scratchDir } from "../helpers/scratch";

it("a new CIDR for the standby region puts every resource that takes the VPC's id, directly or not, in the diff", async () => {
    const dir = scratchDir("cascade");
    const stackFile = readFileSync(join(ROOT, "Pulumi.production.yaml"), "utf8");
    expect(stackFile).toContain("cidrBlock: 10.1.0.0/16");
    writeFileSync(join(dir, "Pulumi.production.yaml"), stackFile.replace("cidrBlock: 10.1.0.0/16", "cidrBlock: 10.9.0.0/16"));
    const out = join(dir, "production.json");
    const result = runTool("plan", ["production", "--config-dir", dir, "--json", out]);
    expect(result.stderr).toBe("");

    const baseline = await planOf("production");
    const current = JSON.parse(readFileSync(out, "utf8")) as PlanDocument;
    const changes = planDiff(baseline, current).changes;
    const changed = new Map(changes.map((c) => [c.urn, c]));

    const vpc = current.resources.find((r) => r.type === "aws:ec2/vpc:Vpc" && r.name.endsWith("us-west-2"))!;
    expect(changed.get(vpc.urn)).toMatchObject({ kind: "replace", replaceKeys: ["cidrBlock"] });

    // Everything downstream of the VPC through the inputs it feeds, found independently of the diff.
    const downstream = new Set([vpc.urn]);
    for (let grew = true; grew;) {
        grew = false;
        for (const r of current.resources) {
            if (downstream.has(r.urn)) continue;
            if (
                Object.values(r.options.propertyDependencies ?? {}).some((urns) =>
                    urns.some((u) => downstream.has(u) && changed.get(u)?.kind === "replace"),
                )
            ) {
                downstream.add(r.urn);
                grew = true;
            }
        }
    }
    const missing = [...downstream].filter((urn) => !changed.has(urn));
    expect(missing).toEqual([]);
    expect(downstream.size).toBeGreaterThan(20);

    const kindOf = (type: string) => [
        ...new Set(changes.filter((c) => c.type === type && c.name.includes("us-west-2")).map((c) => c.kind)),
    ];
    // vpcId forces a new security group, target group, route table, subnet and flow log.
    for (const type of [
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:lb/targetGroup:TargetGroup",
        "aws:ec2/routeTable:RouteTable",
        "aws:ec2/subnet:Subnet",
        "aws:ec2/flowLog:FlowLog",
    ])
        expect(kindOf(type)).toEqual(["replace"]);
    const sg = changes.find((c) => c.type === "aws:ec2/securityGroup:SecurityGroup" && c.name.includes("us-west-2"))!;
    expect(sg.causedBy).toContain(vpc.urn);
    expect(sg.changes.find((c) => c.path === "vpcId")?.after).toBe(`(new, from the replaced ${vpc.name})`);
});
