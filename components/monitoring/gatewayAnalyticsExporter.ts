import * as cloudflare from "../cloudflare";
import * as k8s from "../kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { accountResource, permissionGroups } from "../edge/apiTokens";
import { GATEWAY_ANALYTICS_TOKEN_DIR, PROMETHEUS_COMMUNITY, gatewayAnalyticsModules, jsonExporterConfig } from "./exporterConfigs";

export interface GatewayAnalyticsExporterArgs {
    accountId: string;
    /** The gateway's Analytics Engine dataset (Edge.analyticsDataset). Required. */
    dataset: string;
    /** The scheduled KV export's cron while it runs (edge.kvBackup): its runs are read then only. Optional. */
    kvExportCron?: string;
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
            {
                accountId: args.accountId,
                name: `${args.namePrefix}-gateway-analytics-read`,
                policies: [
                    {
                        effect: "allow",
                        permissionGroups: permissionGroups(args.accountId, "account", ["Account Analytics Read"], { parent: this }),
                        resources: accountResource(args.accountId),
                    },
                ],
            },
            { parent: this },
        );
        const secret = new k8s.core.v1.Secret(
            `${name}-token`,
            {
                metadata: { name: "gateway-analytics-token", namespace: args.namespace, labels: args.labels },
                stringData: { token: token.value },
            },
            { parent: this },
        );
        const modules = gatewayAnalyticsModules(args.dataset, args.kvExportCron);
        const sqlApi = `https://api.cloudflare.com/client/v4/accounts/${args.accountId}/analytics_engine/sql`;
        new k8s.helm.v3.Release(
            name,
            {
                name: "gateway-analytics",
                chart: "prometheus-json-exporter",
                version: args.chartVersion,
                repositoryOpts: { repo: PROMETHEUS_COMMUNITY },
                namespace: args.namespace,
                atomic: true,
                values: {
                    commonLabels: args.chartLabels,
                    configuration: { config: jsonExporterConfig(args.dataset, args.kvExportCron) },
                    additionalVolumes: [{ name: "token", secret: { secretName: secret.metadata.name } }],
                    additionalVolumeMounts: [{ name: "token", mountPath: GATEWAY_ANALYTICS_TOKEN_DIR, readOnly: true }],
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
