/**
 * No rule, panel or runbook queries a metric nothing produces: every PromQL expression of the
 * rules, dashboards and runbooks (docs/runbooks), parsed with the Prometheus project's own grammar (@prometheus-io/lezer-promql),
 * selects only metrics of components/monitoring/metrics.ts or recorded by a rule, with labels
 * that metric has; and each table entry is what its producer, as configured here, emits.
 */
// The pure modules, not the package index: the tests need no Pulumi SDK.
import { platformDashboards, platformRuleGroups } from "../../components/monitoring/content";
import { dashboardExpressions } from "../../components/monitoring/dashboards";
import { gatewayAnalyticsMetricNames, yaceConfig, yaceMetricName, yaceMetricNames } from "../../components/monitoring/exporterConfigs";
import { METRICS, PRODUCERS } from "../../components/monitoring/metrics";
import { validateConfig } from "../../config/load";
import { rawOf } from "../helpers/config";
import { selectorsOf } from "../helpers/promql";
import { readRunbooks } from "../helpers/runbooks";

const production = validateConfig(rawOf("production"));
const config = production.monitoring;
const FLEET_ALARMS = production.fleet.alarms;
const CTX = { fleetPrefix: "ops-platform-production-", gatewayScript: "ops-platform-production-gateway" };
const groups = platformRuleGroups(config, CTX, FLEET_ALARMS, production.edge.kvBackup.cron);
const recorded = new Set(groups.flatMap((g) => g.rules.flatMap((r) => ("record" in r ? [r.record] : []))));
const expressions = [
    ...groups.flatMap((g) => g.rules.map((r) => ({ where: `rule ${"alert" in r ? r.alert : r.record} (${g.name})`, expr: r.expr }))),
    ...platformDashboards(config, CTX).flatMap((d) =>
        dashboardExpressions(d).map((expr, i) => ({ where: `dashboard ${d.uid} query ${i}`, expr })),
    ),
    // The PromQL a runbook tells the on-call to paste queries what is there too.
    ...readRunbooks().flatMap((page) => page.promql.map((expr, i) => ({ where: `runbook ${page.slug} query ${i}`, expr }))),
];

it("the parser refuses what is not PromQL, and finds every selector", () => {
    expect(() => selectorsOf("sum(rate(x[5m])")).toThrow("not PromQL");
    expect(selectorsOf('sum by (a) (foo{b="1"}) / on() bar or vector(1)')).toEqual([
        { metric: "foo", labels: ["b"] },
        { metric: "bar", labels: [] },
    ]);
});

it("every rule and panel selects only metrics something deployed here produces, by labels they carry", () => {
    expect(expressions.length).toBeGreaterThan(50);
    const problems: string[] = [];
    for (const { where, expr } of expressions) {
        for (const { metric, labels } of selectorsOf(expr)) {
            if (recorded.has(metric)) continue;
            const info = METRICS[metric];
            if (!info) problems.push(`${where}: ${metric || "(a selector without a metric name)"} is produced by nothing deployed here`);
            else for (const label of labels) if (!info.labels.includes(label)) problems.push(`${where}: ${metric} has no label ${label}`);
        }
    }
    expect(problems).toEqual([]);
});

it("recording rules are selected only by the labels they record", () => {
    for (const { where, expr } of expressions)
        for (const { metric, labels } of selectorsOf(expr))
            if (recorded.has(metric)) expect([where, labels.filter((l) => !["slo", "service"].includes(l))]).toEqual([where, []]);
});

it("every metric in the table is used, names a producer, and says where its name comes from", () => {
    const used = new Set(expressions.flatMap(({ expr }) => selectorsOf(expr).map((s) => s.metric)));
    expect(Object.keys(METRICS).filter((m) => !used.has(m))).toEqual([]);
    for (const info of Object.values(PRODUCERS)) expect(info.source.length).toBeGreaterThan(20);
});

it("the CloudWatch exporter's config produces exactly the table's yace metrics, named as YACE names them", () => {
    // The examples YACE's README gives of its naming.
    expect(yaceMetricName("AWS/ELB", "HTTPCode_Backend_4XX", "Sum")).toBe("aws_elb_httpcode_backend_4_xx_sum");
    expect(yaceMetricName("AWS/EC2", "CPUUtilization", "Average")).toBe("aws_ec2_cpuutilization_average");
    const table = Object.entries(METRICS)
        .filter(([, m]) => m.producer === "yace")
        .map(([name]) => name);
    expect(yaceMetricNames(yaceConfig(["us-east-1"], "production")).sort()).toEqual(table.sort());
});

it("the gateway analytics exporter's modules produce exactly the table's gateway-analytics metrics", () => {
    const table = Object.entries(METRICS)
        .filter(([, m]) => m.producer === "gateway-analytics")
        .map(([name]) => name);
    expect(gatewayAnalyticsMetricNames("ops_platform_production_gateway", production.edge.kvBackup.cron).sort()).toEqual(table.sort());
});
