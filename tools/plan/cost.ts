/**
 * What a stack costs a month, from its plan document: every resource type the program declares
 * is priced from the committed table (cost/prices.json: each price with its source and the date
 * it was read), free (the resource itself costs nothing), or reported "not priced", never a
 * silent $0. Usage-based prices multiply the stack's usage file (cost/usage/<stack>.yaml), whose
 * every value states where it comes from. A month is 730 hours.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Cron } from "croner";
import { parse } from "yaml";
import { REPO_ROOT } from "../../config/repoRoot";
import type { PlanDocument } from "./document";
import type { Finding } from "../../policies/engine";
import { AGENT_METRICS_PER_INSTANCE } from "../../components/fleet/userData";

export const HOURS_PER_MONTH = 730;

export interface Price {
    usd: number;
    unit: string;
    source: string;
    /** The line of the source the figure was read in, where it helps. */
    note?: string;
    /** When the figure was read from its source (YYYY-MM-DD). */
    readAt: string;
}
export type PriceTable = Record<string, Price>;

/** A usage figure and where it comes from. */
export interface UsageValue {
    value: number;
    source: string;
}
export type Usage = Record<string, UsageValue>;

export interface CostItem {
    urn: string;
    type: string;
    name: string;
    monthlyUsd: number;
    /** How the figure is made: quantities times prices. */
    basis: string;
}

export interface CostEstimate {
    currency: "USD";
    monthlyUsd: number;
    items: CostItem[];
    /** Types that cost money and have no price here: listed, never counted as $0. */
    unpriced: Array<{ type: string; count: number; reason: string }>;
}

/** Types whose resource costs nothing by itself (its use is priced where it happens: the instance, the bucket, the requests). */
const FREE =
    /^(pulumi:providers:|random:|ops-platform:|aws:iam\/|aws:ec2\/(vpc|subnet|routeTable|routeTableAssociation|securityGroup|internetGateway):|aws:vpc\/securityGroup(Ingress|Egress)Rule:|aws:lb\/(listener|targetGroup):|aws:autoscaling\/(policy|schedule):|aws:kms\/alias:|aws:s3\/bucket(LifecycleConfiguration|ServerSideEncryptionConfiguration|OwnershipControls|Policy|PublicAccessBlock):|aws:sns\/(topicPolicy|topicSubscription):|aws:ssm\/(document|maintenanceWindow|maintenanceWindowTask|patchBaseline|patchGroup):|aws:backup\/(plan|selection|vaultLockConfiguration|vaultNotifications|vaultPolicy):|aws:cloudwatch\/event(Rule|Target):|aws:ec2\/launchTemplate:|aws:budgets\/|aws:costexplorer\/|cloudflare:index\/(accountToken|apiToken|dnsRecord|loadBalancerMonitor|notificationPolicy|notificationPolicyWebhooks|r2BucketLifecycle|r2BucketLock|workersCronTrigger|workersRoute|workersDeployment|workerVersion|workersKvNamespace):)/;

/** Types that cost money but are not priced here, with why. */
const NOT_PRICED: Array<[RegExp, string]> = [
    [/^kubernetes:/, "runs on the monitoring cluster, whose nodes are priced with the cluster, not here"],
    [/^pagerduty:/, "PagerDuty is priced per user seat, outside the stack"],
    [/^aws:backup\/(framework|restoreTesting)/, "Backup Audit Manager and restore testing are priced per evaluation and per restore job"],
    [/^aws:sns\/topic:/, "SNS email notifications: priced per 100,000 beyond the free tier"],
];

const round = (usd: number) => Math.round(usd * 100) / 100;

export function readPrices(path = join(REPO_ROOT, "cost", "prices.json")): PriceTable {
    return (JSON.parse(readFileSync(path, "utf8")) as { prices: PriceTable }).prices;
}

export function readUsage(stack: string, dir = join(REPO_ROOT, "cost", "usage")): Usage {
    return parse(readFileSync(join(dir, `${stack}.yaml`), "utf8")) as Usage;
}

type Resource = PlanDocument["resources"][number];

export function estimateCost(doc: PlanDocument, prices: PriceTable, usage: Usage): CostEstimate {
    const byUrn = new Map(doc.resources.map((r) => [r.urn, r]));
    const regionOf = (r: Resource) => String(byUrn.get(r.options.provider ?? "")?.inputs["region"] ?? "");
    const price = (key: string): number => {
        const p = prices[key];
        if (!p) throw new MissingPrice(key);
        return p.usd;
    };
    const use = (key: string): number => {
        const u = usage[key];
        if (!u) throw new MissingPrice(`usage ${key}`);
        return u.value;
    };
    const items: CostItem[] = [];
    const unpriced = new Map<string, { count: number; reason: string }>();
    const item = (r: Resource, monthlyUsd: number, basis: string) =>
        items.push({ urn: r.urn, type: r.type, name: r.name, monthlyUsd: round(monthlyUsd), basis });
    const skip = (type: string, reason: string) => {
        const entry = unpriced.get(type) ?? { count: 0, reason };
        entry.count++;
        unpriced.set(type, entry);
    };
    // The Workers Paid plan and its included usage are the account's, once per stack's share.
    let workersPriced = false;
    // R2's free tier, what is left of it for the next bucket (read when the first bucket is priced).
    let r2Free: { gb: number; a: number; b: number } | undefined;

    for (const r of doc.resources) {
        const region = regionOf(r);
        try {
            switch (r.type) {
                case "aws:autoscaling/group:Group": {
                    const template = (r.options.propertyDependencies?.["launchTemplate"] ?? []).map((u) => byUrn.get(u)).find(Boolean);
                    const type = String(template?.inputs["instanceType"] ?? "");
                    const count = Number(r.inputs["desiredCapacity"] ?? r.inputs["minSize"] ?? 0);
                    const hours = instanceHours(doc, r, count);
                    const ec2 = hours * price(`aws.ec2.${type}.${region}`);
                    const volumes = (template?.inputs["blockDeviceMappings"] as Array<{ ebs?: Record<string, unknown> }> | undefined) ?? [];
                    let ebs = 0;
                    for (const { ebs: v } of volumes) {
                        if (!v) continue;
                        const gb = Number(v["volumeSize"] ?? 8);
                        const iops = Math.max(0, Number(v["iops"] ?? 3000) - 3000);
                        const throughput = Math.max(0, Number(v["throughput"] ?? 125) - 125);
                        ebs +=
                            count *
                            (gb * price(`aws.ebs.gp3.gb.${region}`) +
                                iops * price(`aws.ebs.gp3.iops.${region}`) +
                                throughput * price(`aws.ebs.gp3.throughput.${region}`));
                    }
                    const saved = count * HOURS_PER_MONTH - hours;
                    const hoursText =
                        Math.abs(saved) < 1e-9
                            ? `${count} x ${HOURS_PER_MONTH} h`
                            : `${Math.round(hours)} instance-hours (off-hours schedules: ${Math.round(saved)} fewer than ${count} around the clock, saving ${usd(saved * price(`aws.ec2.${type}.${region}`))})`;
                    // The CloudWatch agent's custom metrics, per instance, billed for the hours they receive data.
                    const metrics = (hours / HOURS_PER_MONTH) * AGENT_METRICS_PER_INSTANCE;
                    const agent = metrics * price(`aws.cloudwatch.customMetric.${region}`);
                    item(
                        r,
                        ec2 + ebs + agent,
                        `${type} x ${hoursText} in ${region}, EBS for ${count}, ${AGENT_METRICS_PER_INSTANCE} agent metrics each`,
                    );
                    break;
                }
                case "aws:ec2/natGateway:NatGateway":
                    item(
                        r,
                        HOURS_PER_MONTH * price(`aws.nat.hour.${region}`) + use("natGatewayGbPerMonth") * price(`aws.nat.gb.${region}`),
                        `${HOURS_PER_MONTH} h and ${use("natGatewayGbPerMonth")} GB processed in ${region}`,
                    );
                    break;
                case "aws:ec2/eip:Eip":
                    item(r, HOURS_PER_MONTH * price(`aws.ipv4.hour.${region}`), `public IPv4 ${HOURS_PER_MONTH} h in ${region}`);
                    break;
                case "aws:lb/loadBalancer:LoadBalancer":
                    item(
                        r,
                        HOURS_PER_MONTH * (price(`aws.alb.hour.${region}`) + use("albLcuPerHour") * price(`aws.alb.lcu.${region}`)),
                        `${HOURS_PER_MONTH} h and ${use("albLcuPerHour")} LCU an hour in ${region}`,
                    );
                    break;
                case "aws:kms/key:Key":
                    item(r, price(`aws.kms.key.${region}`), `one customer managed key in ${region}`);
                    break;
                case "aws:cloudwatch/metricAlarm:MetricAlarm": {
                    // An alarm is billed per metric it reads: a metric-math alarm for each of its metrics.
                    const queries = (r.inputs["metricQueries"] as Array<{ metric?: unknown }> | undefined) ?? [];
                    const metrics = Math.max(1, queries.filter((q) => q.metric).length);
                    item(r, metrics * price(`aws.cloudwatch.alarmMetric.${region}`), `${metrics} alarm metric(s) in ${region}`);
                    break;
                }
                case "aws:cloudwatch/logGroup:LogGroup":
                    item(
                        r,
                        use("flowLogsGbPerMonth") * price(`aws.cloudwatch.vendedLogsGb.${region}`),
                        `${use("flowLogsGbPerMonth")} GB of flow logs ingested in ${region}`,
                    );
                    break;
                case "aws:ec2/flowLog:FlowLog":
                    item(r, 0, "delivery is priced on its log group");
                    break;
                case "aws:s3/bucket:Bucket": {
                    const [gb, puts, gets] = [use("s3GbPerBucket"), use("s3PutRequestsPerBucket"), use("s3GetRequestsPerBucket")];
                    item(
                        r,
                        gb * price(`aws.s3.standardGb.${region}`) +
                            (puts / 1000) * price(`aws.s3.putThousand.${region}`) +
                            (gets / 1000) * price(`aws.s3.getThousand.${region}`),
                        `${gb} GB stored, ${puts} PUT and ${gets} GET requests in ${region}`,
                    );
                    break;
                }
                case "aws:backup/vault:Vault":
                    item(
                        r,
                        use("backupGbPerVault") * price(`aws.backup.ec2WarmGb.${region}`),
                        `${use("backupGbPerVault")} GB of warm recovery points in ${region}`,
                    );
                    break;
                case "cloudflare:index/loadBalancer:LoadBalancer": {
                    const pools = ((r.options.propertyDependencies?.["defaultPools"] ?? []) as string[]).map((u) => byUrn.get(u));
                    const origins = pools.reduce((n, p) => n + ((p?.inputs["origins"] as unknown[] | undefined)?.length ?? 0), 0);
                    const extra = Math.max(0, origins - 2);
                    // An origin beyond the two included is priced only where there is one: its price is not in the table.
                    const extraUsd = extra > 0 ? extra * price("cloudflare.lb.extraOrigin") : 0;
                    item(r, price("cloudflare.lb.month") + extraUsd, `load balancing with ${origins} origins`);
                    break;
                }
                case "cloudflare:index/loadBalancerPool:LoadBalancerPool":
                    item(r, 0, "priced on its load balancer (per origin)");
                    break;
                case "cloudflare:index/worker:Worker":
                case "cloudflare:index/workersScript:WorkersScript": {
                    if (workersPriced) {
                        item(r, 0, "on the Workers Paid plan priced with the gateway");
                        break;
                    }
                    workersPriced = true;
                    const requests = use("gatewayRequestsPerMonth") / 1e6;
                    const cpu = (use("gatewayRequestsPerMonth") * use("gatewayCpuMsPerRequest")) / 1e6;
                    const extraRequests = Math.max(0, requests - price("cloudflare.workers.includedRequestsMillions"));
                    const extraCpu = Math.max(0, cpu - price("cloudflare.workers.includedCpuMillionMs"));
                    item(
                        r,
                        price("cloudflare.workers.paidMonth") +
                            extraRequests * price("cloudflare.workers.requestsMillion") +
                            extraCpu * price("cloudflare.workers.cpuMillionMs"),
                        `Workers Paid, ${requests} M requests and ${cpu} M CPU ms a month`,
                    );
                    break;
                }
                case "cloudflare:index/r2Bucket:R2Bucket": {
                    // The free tier is the account's: the stack's buckets draw on it in turn.
                    const free = (r2Free ??= {
                        gb: price("cloudflare.r2.freeGb"),
                        a: price("cloudflare.r2.freeClassAMillions"),
                        b: price("cloudflare.r2.freeClassBMillions"),
                    });
                    const [gb, a, b] = [use("r2GbPerBucket"), use("r2ClassAOpsPerBucket") / 1e6, use("r2ClassBOpsPerBucket") / 1e6];
                    /** What this bucket pays of `used` beyond what is left free, and what it leaves. */
                    const draw = (key: keyof typeof free, used: number) => {
                        const paid = Math.max(0, used - free[key]);
                        free[key] = Math.max(0, free[key] - used);
                        return paid;
                    };
                    const billed = { gb: draw("gb", gb), a: draw("a", a), b: draw("b", b) };
                    item(
                        r,
                        billed.gb * price("cloudflare.r2.storageGb") +
                            billed.a * price("cloudflare.r2.classAMillion") +
                            billed.b * price("cloudflare.r2.classBMillion"),
                        `${gb} GB stored, ${a} M Class A and ${b} M Class B operations (the account's free tier first: ${price("cloudflare.r2.freeGb")} GB, ${price("cloudflare.r2.freeClassAMillions")} M and ${price("cloudflare.r2.freeClassBMillions")} M)`,
                    );
                    break;
                }
                case "cloudflare:index/logpushJob:LogpushJob": {
                    const millions = Math.max(0, use("gatewayRequestsPerMonth") / 1e6 - price("cloudflare.logpush.includedMillions"));
                    item(
                        r,
                        millions * price("cloudflare.logpush.requestsMillion"),
                        `Workers Logpush of ${use("gatewayRequestsPerMonth") / 1e6} M requests`,
                    );
                    break;
                }
                default: {
                    if (FREE.test(r.type)) break;
                    const reason =
                        NOT_PRICED.find(([pattern]) => pattern.test(r.type))?.[1] ?? "no price in cost/prices.json for this type";
                    skip(r.type, reason);
                }
            }
        } catch (error) {
            if (!(error instanceof MissingPrice)) throw error;
            skip(r.type, `no ${error.key} in cost/prices.json or the usage file`);
        }
    }
    items.sort((a, b) => b.monthlyUsd - a.monthlyUsd || a.urn.localeCompare(b.urn));
    return {
        currency: "USD",
        monthlyUsd: round(items.reduce((sum, i) => sum + i.monthlyUsd, 0)),
        items,
        unpriced: [...unpriced].map(([type, v]) => ({ type, ...v })).sort((a, b) => a.type.localeCompare(b.type)),
    };
}

class MissingPrice extends Error {
    constructor(readonly key: string) {
        super(key);
    }
}

/**
 * Instance-hours of a group in a month: its desired capacity around the clock, or, with
 * scheduled actions on it (off-hours schedules), each action's size from its time until the
 * next action's, over a week, scaled to the month.
 */
function instanceHours(doc: PlanDocument, group: Resource, count: number): number {
    const actions = doc.resources.filter(
        (r) =>
            r.type === "aws:autoscaling/schedule:Schedule" &&
            (r.options.propertyDependencies?.["autoscalingGroupName"] ?? []).includes(group.urn),
    );
    if (actions.length === 0) return count * HOURS_PER_MONTH;
    const weekStart = new Date("2027-01-04T00:00:00Z");
    const weekEnd = new Date(weekStart.getTime() + 7 * 86_400_000);
    // Each action's runs in the week and the week before (the size at the week's start).
    const runs = actions
        .flatMap((a) => {
            const cron = new Cron(String(a.inputs["recurrence"]), { timezone: String(a.inputs["timeZone"] ?? "UTC"), mode: "5-part" });
            const times: Array<{ at: number; size: number }> = [];
            for (let t = cron.nextRun(new Date(weekStart.getTime() - 7 * 86_400_000)); t && t < weekEnd; t = cron.nextRun(t))
                times.push({ at: t.getTime(), size: Number(a.inputs["desiredCapacity"] ?? 0) });
            return times;
        })
        .sort((x, y) => x.at - y.at);
    let hours = 0;
    runs.forEach((run, i) => {
        const from = Math.max(run.at, weekStart.getTime());
        const to = Math.min(runs[i + 1]?.at ?? weekEnd.getTime(), weekEnd.getTime());
        if (to > from) hours += (run.size * (to - from)) / 3_600_000;
    });
    return (hours * HOURS_PER_MONTH) / (7 * 24);
}

const usd = (n: number) => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const signed = (n: number) => `${n >= 0 ? "+" : "-"}${usd(Math.abs(n))}`;

/** Each resource's monthly change between two estimates, largest first. */
export function costChanges(
    before: CostEstimate | undefined,
    after: CostEstimate,
): Array<{ name: string; type: string; deltaUsd: number }> {
    const old = new Map((before?.items ?? []).map((i) => [i.urn, i]));
    const now = new Map(after.items.map((i) => [i.urn, i]));
    const urns = new Set([...old.keys(), ...now.keys()]);
    return [...urns]
        .map((urn) => {
            const item = now.get(urn) ?? old.get(urn)!;
            return { name: item.name, type: item.type, deltaUsd: round((now.get(urn)?.monthlyUsd ?? 0) - (old.get(urn)?.monthlyUsd ?? 0)) };
        })
        .filter((c) => c.deltaUsd !== 0)
        .sort((a, b) => Math.abs(b.deltaUsd) - Math.abs(a.deltaUsd) || a.name.localeCompare(b.name));
}

/** The estimate's total, and with a baseline the change's monthly difference, as the terminal and the PR comment say them. */
export function costSummary(stack: string, estimate: CostEstimate, baseline?: CostEstimate): { total: string; change?: string } {
    return {
        total: `${usd(estimate.monthlyUsd)}/month estimated (cost/prices.json, cost/usage/${stack}.yaml)`,
        ...(baseline ? { change: `${signed(round(estimate.monthlyUsd - baseline.monthlyUsd))}/month in ${stack}` } : {}),
    };
}

/** The estimate in lines of text (Markdown-safe): total, largest items, what is not priced, and with a baseline the change. */
export function costLines(stack: string, estimate: CostEstimate, baseline?: CostEstimate, largest = 5): string[] {
    const { total, change } = costSummary(stack, estimate, baseline);
    const lines = [`${stack}: ${total}`];
    if (baseline) {
        lines.push(`this change: ${change}`);
        for (const c of costChanges(baseline, estimate).slice(0, largest))
            lines.push(`  ${signed(c.deltaUsd)}  ${c.type.split(":").pop()} ${c.name}`);
    }
    lines.push("largest:");
    for (const i of estimate.items.slice(0, largest))
        lines.push(`  ${usd(i.monthlyUsd).padStart(10)}  ${i.type.split(":").pop()} ${i.name} (${i.basis})`);
    const byReason = new Map<string, string[]>();
    for (const u of estimate.unpriced)
        byReason.set(u.reason, [...(byReason.get(u.reason) ?? []), `${u.type.split(":").pop()} x${u.count}`]);
    for (const [reason, types] of byReason) lines.push(`not priced: ${types.join(", ")}: ${reason}`);
    return lines;
}

/** The budget policy: an estimate over `cost.budgetMonthlyUsd` is a finding at `cost.overBudgetLevel`. */
export function budgetFindings(estimate: CostEstimate, budgetUsd: number, level: "advisory" | "mandatory"): Finding[] {
    if (estimate.monthlyUsd <= budgetUsd) return [];
    return [
        {
            policy: "cost-within-budget",
            area: "cost",
            level,
            status: "violation",
            message: `the estimate is ${usd(estimate.monthlyUsd)}/month, over the stack's budget of ${usd(budgetUsd)} (cost.budgetMonthlyUsd)`,
            remediation: "Make the change cheaper, or raise cost.budgetMonthlyUsd in the stack file in a reviewed change",
        },
    ];
}
