import * as cloudflare from "../cloudflare";
import * as k8s from "../kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { accountResource, permissionGroups } from "../edge/apiTokens";

export interface GatewayAnalyticsExporterArgs {
    accountId: string;
    /** The gateway's Analytics Engine dataset (Edge.analyticsDataset). Required. */
    dataset: string;
    /** Kubernetes namespace the exporter runs in. Required. */
    namespace: pulumi.Input<string>;
    /** prometheus-json-exporter chart version. Required. */
    chartVersion: string;
    /** Labels of the objects declared here. Required. */
    labels: Record<string, string>;
    /** Labels the chart puts on its objects: without app.kubernetes.io/*, which the chart sets itself. Required. */
    chartLabels: Record<string, string>;
    /** `<service>-<environment>`: names the token. Required. */
    namePrefix: string;
}

const CHART_REPO = "https://prometheus-community.github.io/helm-charts";
const TOKEN_DIR = "/etc/gateway-analytics";
/** The SQL API returns the window's rows; each scrape reads the last 5 minutes. */
const WINDOW = "timestamp > NOW() - INTERVAL '5' MINUTE";

interface JsonMetric {
    name: string;
    type: "object";
    help: string;
    path: string;
    labels?: Record<string, string>;
    values: Record<string, string>;
}

/**
 * One json_exporter module per query: its SQL (over the columns workers/gateway/src/analytics.ts
 * writes) and the metrics named from the rows, `<name>_<value>` as json_exporter names them.
 */
export function gatewayAnalyticsModules(dataset: string): Record<string, { sql: string; metrics: JsonMetric[] }> {
    const quantiles = (column: string) => [0.5, 0.95, 0.99].map((q) => `quantileExactWeighted(${q})(${column}, _sample_interval) AS p${Math.round(q * 100)}_ms`).join(", ");
    return {
        gateway_requests: {
            sql: `SELECT blob2 AS status_class, blob3 AS cache, blob4 AS provider, SUM(_sample_interval) AS requests FROM ${dataset} WHERE blob1 = 'request' AND ${WINDOW} GROUP BY status_class, cache, provider FORMAT JSON`,
            metrics: [{ name: "gateway", type: "object", help: "chat completion requests answered in the last 5 minutes", path: "{.data[*]}", labels: { status_class: "{.status_class}", cache: "{.cache}", provider: "{.provider}" }, values: { requests_5m: "{.requests}" } }],
        },
        gateway_durations: {
            sql: `SELECT ${quantiles("double1")}, ${quantiles("double1 - double2").replace(/AS p/g, "AS overhead_p")} FROM ${dataset} WHERE blob1 = 'request' AND ${WINDOW} FORMAT JSON`,
            metrics: [
                { name: "gateway_request_duration", type: "object", help: "request duration over the last 5 minutes, ms, the provider's wait included", path: "{.data[*]}", values: { p50_ms: "{.p50_ms}", p95_ms: "{.p95_ms}", p99_ms: "{.p99_ms}" } },
                { name: "gateway_overhead_duration", type: "object", help: "the gateway's own time per request (duration minus the provider's wait), ms", path: "{.data[*]}", values: { p50_ms: "{.overhead_p50_ms}", p95_ms: "{.overhead_p95_ms}", p99_ms: "{.overhead_p99_ms}" } },
            ],
        },
        gateway_upstreams: {
            sql: `SELECT blob2 AS provider, blob3 AS outcome, SUM(_sample_interval) AS attempts FROM ${dataset} WHERE blob1 = 'attempt' AND ${WINDOW} GROUP BY provider, outcome FORMAT JSON`,
            metrics: [{ name: "gateway_upstream", type: "object", help: "calls to (or skips of) each provider in the last 5 minutes by outcome", path: "{.data[*]}", labels: { provider: "{.provider}", outcome: "{.outcome}" }, values: { attempts_5m: "{.attempts}" } }],
        },
        gateway_upstream_latency: {
            sql: `SELECT blob2 AS provider, quantileExactWeighted(0.95)(double1, _sample_interval) AS p95_ms FROM ${dataset} WHERE blob1 = 'attempt' AND blob3 IN ('ok', 'failed') AND ${WINDOW} GROUP BY provider FORMAT JSON`,
            metrics: [{ name: "gateway_upstream_latency", type: "object", help: "provider answer time p95 by provider, ms", path: "{.data[*]}", labels: { provider: "{.provider}" }, values: { p95_ms: "{.p95_ms}" } }],
        },
    };
}

/** The metric names the modules produce. */
export function gatewayAnalyticsMetricNames(dataset: string): string[] {
    return Object.values(gatewayAnalyticsModules(dataset)).flatMap((m) => m.metrics.flatMap((metric) => Object.keys(metric.values).map((v) => `${metric.name}_${v}`)));
}

/**
 * The gateway's own signals into Prometheus: prometheus-json-exporter POSTs each module's SQL
 * to the Analytics Engine SQL API with an account token that may only read analytics, and a
 * ServiceMonitor scrapes one target per module.
 */
export class GatewayAnalyticsExporter extends pulumi.ComponentResource {
    constructor(name: string, args: GatewayAnalyticsExporterArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:monitoring:GatewayAnalyticsExporter", name, {}, opts);
        const token = new cloudflare.AccountToken(
            `${name}-token`,
            { accountId: args.accountId, name: `${args.namePrefix}-gateway-analytics-read`, policies: [{ effect: "allow", permissionGroups: permissionGroups(["Account Analytics Read"], { parent: this }), resources: accountResource(args.accountId) }] },
            { parent: this },
        );
        const secret = new k8s.core.v1.Secret(`${name}-token`, { metadata: { name: "gateway-analytics-token", namespace: args.namespace, labels: args.labels }, stringData: { token: token.value } }, { parent: this });
        const modules = gatewayAnalyticsModules(args.dataset);
        const config = {
            modules: Object.fromEntries(
                Object.entries(modules).map(([module, { sql, metrics }]) => [
                    module,
                    { http_client_config: { authorization: { type: "Bearer", credentials_file: `${TOKEN_DIR}/token` } }, headers: { "content-type": "text/plain" }, body: { content: sql }, valid_status_codes: [200], metrics },
                ]),
            ),
        };
        const sqlApi = `https://api.cloudflare.com/client/v4/accounts/${args.accountId}/analytics_engine/sql`;
        new k8s.helm.v3.Release(
            name,
            {
                name: "gateway-analytics",
                chart: "prometheus-json-exporter",
                version: args.chartVersion,
                repositoryOpts: { repo: CHART_REPO },
                namespace: args.namespace,
                atomic: true,
                values: {
                    commonLabels: args.chartLabels,
                    configuration: { config: stringify(config) },
                    additionalVolumes: [{ name: "token", secret: { secretName: secret.metadata.name } }],
                    additionalVolumeMounts: [{ name: "token", mountPath: TOKEN_DIR, readOnly: true }],
                    serviceMonitor: {
                        enabled: true,
                        // The SQL API answers for minutes of data; once a minute is plenty and stays far inside its rate limits.
                        defaults: { interval: "60s", scrapeTimeout: "30s", labels: {} },
                        targets: Object.keys(modules).map((module) => ({ name: module.replace(/_/g, "-"), url: sqlApi, module })),
                    },
                },
            },
            { parent: this, dependsOn: [secret] },
        );
        this.registerOutputs({});
    }
}
