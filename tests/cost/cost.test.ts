/**
 * The monthly estimate from plan documents (tools/plan/cost.ts): a change of instance type,
 * capacity, volume size or Region moves it by exactly the table's price times the quantity;
 * every price has a source; what has no price is reported; the guardrails are in every plan.
 */
import { BUDGET_ALERTS, COST_ALLOCATION_TAGS } from "../../components/cost";
import { AGENT_METRICS_PER_INSTANCE } from "../../components/fleet/userData";
import { HOURS_PER_MONTH, budgetFindings, costLines, estimateCost, readPrices, readUsage, type CostEstimate } from "../../tools/plan/cost";
import type { PlanDocument } from "../../tools/plan/document";
import { renderStackMarkdown } from "../../tools/plan/markdown";
import { planDiff } from "../../tools/plan/diff";
import { changeRisk } from "../../tools/plan/risk";
import { ofType, oneOfType, planOf, STACKS } from "../helpers/plan";

const prices = readPrices();
const usage = readUsage("production");
const GROUP = "aws:autoscaling/group:Group";
const TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";

/** A deep copy of production's plan document with `change` applied. */
async function production(change: (doc: PlanDocument) => void = () => undefined): Promise<PlanDocument> {
    const { stack, resources, outputs, findings } = await planOf("production");
    const doc = JSON.parse(JSON.stringify({ stack, resources, outputs, findings })) as PlanDocument;
    change(doc);
    return doc;
}
const primary = (doc: PlanDocument, type: string) => doc.resources.find((r) => r.type === type && r.name.includes("us-east-1"))!;
const total = (doc: PlanDocument) => estimateCost(doc, prices, usage).monthlyUsd;
const cents = (usd: number) => Math.round(usd * 100);
/** Items are rounded to the cent, so a difference of two estimates is exact to a cent. */
const expectCents = (actual: number, expected: number) => expect(Math.abs(cents(actual) - cents(expected))).toBeLessThanOrEqual(1);

describe("a change moves the estimate by the table's price times the quantity", () => {
    let base: number;
    let count: number;
    beforeAll(async () => {
        const doc = await production();
        base = total(doc);
        count = Number(primary(doc, GROUP).inputs["desiredCapacity"]);
    });

    it("instance type", async () => {
        const doc = await production((d) => void (primary(d, TEMPLATE).inputs["instanceType"] = "t3.large"));
        const per = prices["aws.ec2.t3.large.us-east-1"]!.usd - prices["aws.ec2.t3.medium.us-east-1"]!.usd;
        expectCents(total(doc) - base, per * HOURS_PER_MONTH * count);
    });

    it("desired capacity", async () => {
        const doc = await production((d) => void (primary(d, GROUP).inputs["desiredCapacity"] = count + 2));
        // The instance, its 50 GB volume, and the CloudWatch agent's custom metrics it publishes.
        const perInstance =
            prices["aws.ec2.t3.medium.us-east-1"]!.usd * HOURS_PER_MONTH +
            50 * prices["aws.ebs.gp3.gb.us-east-1"]!.usd +
            AGENT_METRICS_PER_INSTANCE * prices["aws.cloudwatch.customMetric.us-east-1"]!.usd;
        expectCents(total(doc) - base, 2 * perInstance);
    });

    it("volume size", async () => {
        const doc = await production((d) => {
            const mappings = primary(d, TEMPLATE).inputs["blockDeviceMappings"] as Array<{ ebs: Record<string, unknown> }>;
            mappings[0]!.ebs["volumeSize"] = 80;
        });
        expectCents(total(doc) - base, 30 * prices["aws.ebs.gp3.gb.us-east-1"]!.usd * count);
    });

    it("Region: a Region with no prices is reported, never priced at $0", async () => {
        const doc = await production((d) => {
            const provider = d.resources.find((r) => r.urn === primary(d, GROUP).options.provider)!;
            provider.inputs["region"] = "ap-south-2";
        });
        const estimate = estimateCost(doc, prices, usage);
        expect(estimate.unpriced.find((u) => u.type === GROUP)).toEqual({
            type: GROUP,
            count: 1,
            reason: "no aws.ec2.t3.medium.ap-south-2 in cost/prices.json or the usage file",
        });
        // With its prices added, the same Region change costs exactly their difference.
        const withRegion = Object.fromEntries(
            Object.entries(prices).flatMap(([k, v]) =>
                k.endsWith(".us-east-1")
                    ? [
                          [k, v],
                          [k.replace(".us-east-1", ".ap-south-2"), { ...v, usd: v.usd * 1.1 }],
                      ]
                    : [[k, v]],
            ),
        );
        const moved = estimateCost(doc, withRegion, usage).monthlyUsd;
        // Everything on that Region's provider now costs the new Region's prices: 10% more.
        const provider = primary(doc, GROUP).options.provider;
        const onProvider = new Set(doc.resources.filter((r) => r.options.provider === provider).map((r) => r.urn));
        const inRegion = estimateCost(await production(), prices, usage)
            .items.filter((i) => onProvider.has(i.urn))
            .reduce((sum, i) => sum + i.monthlyUsd, 0);
        expect(Math.abs(cents(moved - base) - cents(inRegion * 0.1))).toBeLessThanOrEqual(onProvider.size);
    });
});

it("every price has a source and the date it was read", () => {
    expect(Object.keys(prices).length).toBeGreaterThan(30);
    for (const [key, p] of Object.entries(prices)) {
        expect([key, typeof p.usd === "number" && p.usd >= 0]).toEqual([key, true]);
        expect([key, p.source]).toEqual([key, expect.stringMatching(/^https:\/\//)]);
        expect([key, p.readAt]).toEqual([key, expect.stringMatching(/^\d{4}-\d\d-\d\d$/)]);
        expect(p.unit.length).toBeGreaterThan(5);
    }
    for (const stack of STACKS)
        for (const [key, u] of Object.entries(readUsage(stack))) expect([stack, key, u.source.length > 20]).toEqual([stack, key, true]);
});

it("prices the Cloudflare load balancer (two origins, none extra) and the vaults from the usage file", async () => {
    const estimate = estimateCost(await production(), prices, usage);
    expect(estimate.unpriced.map((u) => u.type)).not.toContain("cloudflare:index/loadBalancer:LoadBalancer");
    expect(estimate.items.find((i) => i.type === "cloudflare:index/loadBalancer:LoadBalancer")).toMatchObject({
        monthlyUsd: prices["cloudflare.lb.month"]!.usd,
        basis: "load balancing with 2 origins",
    });
    const vault = estimate.items.find((i) => i.type === "aws:backup/vault:Vault")!;
    expect(vault.monthlyUsd).toBeCloseTo(usage["backupGbPerVault"]!.value * prices["aws.backup.ec2WarmGb.us-east-1"]!.usd, 2);
    const { backupGbPerVault: _dropped, ...withoutBackup } = usage;
    expect(estimateCost(await production(), prices, withoutBackup).unpriced).toContainEqual(
        expect.objectContaining({
            type: "aws:backup/vault:Vault",
            reason: "no usage backupGbPerVault in cost/prices.json or the usage file",
        }),
    );
});

it("prices the agent's custom metrics per instance, S3 requests, and R2 operations after the account's free tier", async () => {
    expect(AGENT_METRICS_PER_INSTANCE).toBe(2); // mem_used_percent, disk used_percent of /
    const estimate = estimateCost(await production(), prices, usage);
    const bucket = estimate.items.find((i) => i.type === "aws:s3/bucket:Bucket")!;
    const u = (key: string) => usage[key]!.value;
    expect(bucket.monthlyUsd).toBeCloseTo(
        u("s3GbPerBucket") * prices["aws.s3.standardGb.us-east-1"]!.usd +
            (u("s3PutRequestsPerBucket") / 1000) * prices["aws.s3.putThousand.us-east-1"]!.usd +
            (u("s3GetRequestsPerBucket") / 1000) * prices["aws.s3.getThousand.us-east-1"]!.usd,
        2,
    );
    // Two buckets of 5 GB and 0.2 M Class A share the account's 10 GB and 1 M: nothing billed until they outgrow it.
    const r2 = estimate.items.filter((i) => i.type === "cloudflare:index/r2Bucket:R2Bucket");
    expect(r2.map((i) => i.monthlyUsd)).toEqual([0, 0]);
    const busy = { ...usage, r2ClassAOpsPerBucket: { value: 800_000, source: "test" }, r2GbPerBucket: { value: 8, source: "test" } };
    const billed = estimateCost(await production(), prices, busy).items.filter((i) => i.type === "cloudflare:index/r2Bucket:R2Bucket");
    // The second bucket pays for what the first left of the free tier: 6 GB and 0.6 M Class A.
    expect(billed.map((i) => i.monthlyUsd).sort()).toEqual([
        0,
        Math.round((6 * prices["cloudflare.r2.storageGb"]!.usd + 0.6 * prices["cloudflare.r2.classAMillion"]!.usd) * 100) / 100,
    ]);
});

it("reports a type that costs money and has no price, and prices no type at $0 by default", async () => {
    const doc = await production(
        (d) => void d.resources.push({ urn: "urn:x", type: "aws:rds/instance:Instance", name: "db", inputs: {}, options: {} }),
    );
    expect(estimateCost(doc, prices, usage).unpriced).toContainEqual({
        type: "aws:rds/instance:Instance",
        count: 1,
        reason: "no price in cost/prices.json for this type",
    });
});

it("puts the change's monthly cost in the PR comment, and raises its risk past cost.riskShare", async () => {
    const before = await production();
    const after = await production((d) => void (primary(d, TEMPLATE).inputs["instanceType"] = "t3.large"));
    before.cost = estimateCost(before, prices, usage);
    after.cost = estimateCost(after, prices, usage);
    const { changes } = planDiff(before, after);
    const delta = after.cost.monthlyUsd - before.cost.monthlyUsd;
    const comment = renderStackMarkdown({
        stack: "production",
        doc: after,
        changes,
        risk: changeRisk("production", changes),
        coverage: [],
        findings: [],
        costBaseline: before.cost,
    }).comment;
    expect(comment).toContain(
        `**Cost:** +$${delta.toFixed(2)}/month in production; $${after.cost.monthlyUsd.toLocaleString("en-US", { minimumFractionDigits: 2 })}/month estimated`,
    );
    expect(comment).toContain("Cost by resource");
    const cheap = changeRisk("production", changes, { beforeUsd: before.cost.monthlyUsd, afterUsd: after.cost.monthlyUsd, riskShare: 0.5 });
    const dear = changeRisk("production", changes, { beforeUsd: before.cost.monthlyUsd, afterUsd: after.cost.monthlyUsd, riskShare: 0.05 });
    expect(dear.impact).toBe(Math.min(5, cheap.impact + 1));
    expect(dear.reasons[0]).toContain(`cost +$${delta.toFixed(2)}/month`);
});

it("an estimate over the budget is a finding at the stack's level", () => {
    const estimate: CostEstimate = { currency: "USD", monthlyUsd: 1234.5, items: [], unpriced: [] };
    expect(budgetFindings(estimate, 2000, "mandatory")).toEqual([]);
    expect(budgetFindings(estimate, 1000, "advisory")).toEqual([
        expect.objectContaining({
            policy: "cost-within-budget",
            level: "advisory",
            status: "violation",
            message: "the estimate is $1,234.50/month, over the stack's budget of $1,000.00 (cost.budgetMonthlyUsd)",
        }),
    ]);
    expect(costLines("dev", estimate)[0]).toBe("dev: $1,234.50/month estimated (cost/prices.json, cost/usage/dev.yaml)");
});

describe.each(STACKS)("%s's plan", (stack) => {
    it("carries its estimate, a budget on its Environment tag with the source documents' alerts, and an anomaly monitor", async () => {
        const { resources, config, cost } = (await planOf(stack)) as Awaited<ReturnType<typeof planOf>> & { cost?: CostEstimate };
        expect(cost?.monthlyUsd).toBeGreaterThan(0);
        const budget = oneOfType(resources, "aws:budgets/budget:Budget");
        expect(budget.inputs).toMatchObject({
            limitAmount: config.cost.budgetMonthlyUsd.toFixed(2),
            timeUnit: "MONTHLY",
            costFilters: [{ name: "TagKeyValue", values: [`user:Environment$${stack}`] }],
        });
        expect(
            (budget.inputs["notifications"] as Array<Record<string, unknown>>).map((n) => [n["notificationType"], n["threshold"]]),
        ).toEqual(BUDGET_ALERTS.map((a) => [a.notificationType, a.threshold]));
        const monitor = oneOfType(resources, "aws:costexplorer/anomalyMonitor:AnomalyMonitor");
        expect(JSON.parse(String(monitor.inputs["monitorSpecification"]))).toEqual({
            Tags: { Key: "Environment", Values: [stack], MatchOptions: ["EQUALS"] },
        });
        expect(oneOfType(resources, "aws:costexplorer/anomalySubscription:AnomalySubscription").inputs["subscribers"]).toEqual(
            config.alerting.emails.map((address) => ({ type: "EMAIL", address })),
        );
        // The account setting belongs to one stack of the account: production.
        expect(
            ofType(resources, "aws:costexplorer/costAllocationTag:CostAllocationTag")
                .map((t) => t.inputs["tagKey"])
                .sort(),
        ).toEqual(stack === "production" ? [...COST_ALLOCATION_TAGS].sort() : []);
        // Off-hours schedules on staging's serving fleet only.
        expect(ofType(resources, "aws:autoscaling/schedule:Schedule").length).toBe(stack === "staging" ? 4 : 0);
    });
});
