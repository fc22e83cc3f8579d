/**
 * `npm run plan -- <stack> --preview` runs the program as a first `pulumi preview` sees it:
 * every value a provider computes is unknown. It must register exactly what the plan
 * registers, and the policies must say what they could not judge instead of failing on it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { PlanDocument } from "../../tools/plan/document";
import { runTool } from "../helpers/cli";
import { planOf } from "../helpers/plan";
import { scratchDir } from "../helpers/scratch";

const scratch = scratchDir("preview-test");

it("production under preview semantics: the same resources, unknown computed values, no violation from an unknown", async () => {
    const out = join(scratch, "production.json");
    const result = runTool("plan", ["production", "--preview", "--json", out]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("offline preview: every value a provider computes is unknown");

    const preview = JSON.parse(readFileSync(out, "utf8")) as PlanDocument;
    const plan = await planOf("production");
    expect(preview.resources.map((r) => `${r.type} ${r.urn}`)).toEqual(plan.resources.map((r) => `${r.type} ${r.urn}`));

    // What depends on a provider-computed value is unknown: the pools' origins, the ALB's subnets.
    const pool = preview.resources.find((r) => r.type === "cloudflare:index/loadBalancerPool:LoadBalancerPool")!;
    expect((pool.inputs["origins"] as Array<{ address: string }>)[0]!.address).toBe("[unknown]");
    // Inputs the program states are known: IMDSv2 is judged, not skipped.
    const lt = preview.resources.find((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate")!;
    expect(lt.inputs["metadataOptions"]).toMatchObject({ httpTokens: "required" });

    expect(preview.findings.filter((f) => f.status === "violation")).toEqual([]);
    const notEvaluated = preview.findings.filter((f) => f.status === "not-evaluated");
    expect(notEvaluated.length).toBeGreaterThan(0);
    for (const f of notEvaluated) expect(f.message).toMatch(/unknown until deploy|secret marks/);
    expect(result.stdout).toContain(`${notEvaluated.length} not evaluated`);
});
