import * as k8s from "../kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { stringify } from "yaml";
import { type FleetConfig, type MonitoringConfig, type SectionInput } from "../../config/schema";
import { sectionSettings } from "../../config/sections";
import { alertmanagerConfig, patchWindows, routingFor } from "./alertRouting";
import { SCENARIOS, type PagingPriority } from "./ruleTypes";
import { runbookSlug, runbookUrl } from "../../config/repository";
import { HEARTBEAT_ALERT } from "../../workers/heartbeat/src/contract";
import { MonitoringHeartbeat } from "./heartbeat";
import { CloudflareExporter } from "./cloudflareExporter";
import { CloudWatchExporter } from "./cloudwatchExporter";
import { GatewayAnalyticsExporter } from "./gatewayAnalyticsExporter";
import { PROMETHEUS_COMMUNITY, outOfOrderWindow, yaceConfig } from "./exporterConfigs";
import type { SignalContext } from "./signals";
import { platformDashboards, platformRuleGroups } from "./content";

export interface MonitoringArgs {
    /** The `ops-platform:monitoring` section: chart versions, retention, storage, replicas, SLOs, link bases. Optional; defaults in config/schema.ts. */
    settings?: SectionInput<"monitoring">;
    /** Labels every object carries (the required tags as labels). Required. */
    labels: Record<string, string>;
    /** Slack webhook URLs (secrets). Required. */
    routingSecrets: { [K in "slackWebhookUrl" | "slackInfraWebhookUrl"]: pulumi.Input<string> };
    /**
     * The Events API v2 routing key each paging priority pages through (secrets): the OnCall
     * services' integrations, or the one key of a PagerDuty managed elsewhere. Required when
     * `monitoring.paging` is on, and read then only.
     */
    pagingKeys?: Record<PagingPriority, pulumi.Input<string>>;
    /**
     * Public URLs the blackbox exporter probes. Their alerts (EndpointDown, CertificateExpiringSoon)
     * are the gateway's, deployed while `monitoring.services` has it: Platform probes its /health
     * then only. Optional.
     */
    probeTargets?: pulumi.Input<string>[];
    /** The gateway's Worker version this `up` deploys (its bundle's content version): every page names it. Required. */
    deployedVersion: string;
    /** Names the rules select this stack's resources by. Required. */
    signals: SignalContext;
    /** The fleet's thresholds (`fleet.alarms`), which its CloudWatch alarms read too: the web alerts fire at the same values. Required. */
    fleetAlarms: FleetConfig["alarms"];
    /** The fleet's patch waves (`fleet.patching`): what they cause is muted in their windows. Required. */
    fleetPatching: FleetConfig["patching"];
    /** What the exporters read. Required. */
    sources: {
        /** The stack's Environment tag and AWS regions (CloudWatch). */
        environment: string;
        regions: string[];
        /** `<service>-<environment>`: names the exporters' tokens. */
        namePrefix: string;
        cloudflareAccountId: string;
        cloudflareZoneId: string;
        /** The gateway's Analytics Engine dataset. */
        analyticsDataset: string;
        /** The scheduled KV export's cron while it runs (edge.kvBackup.enabled): it is watched then only. */
        kvExportCron?: string;
        /** Where the dead man's switch listens (a full hostname in the zone), and its Workers compatibility date. */
        heartbeat: { hostname: string; compatibilityDate: string };
    };
}

const DASHBOARD_LABEL = "grafana_dashboard";

/**
 * The monitoring stack of one cluster: kube-prometheus-stack with generated rules, routing
 * and dashboards, and blackbox probes of the public hostnames. Resources inherit the
 * Kubernetes provider of `opts`.
 */
export class Monitoring extends pulumi.ComponentResource {
    readonly namespace: pulumi.Output<string>;
    readonly grafanaAdminSecretName: pulumi.Output<string>;

    constructor(name: string, args: MonitoringArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:monitoring:Monitoring", name, {}, opts);
        const { labels } = args;
        // The charts set app.kubernetes.io/* labels themselves; passing them again in commonLabels writes duplicate keys.
        const chartLabels = Object.fromEntries(Object.entries(labels).filter(([key]) => !key.startsWith("app.kubernetes.io/")));
        const config = sectionSettings("monitoring", args.settings, name);
        // Checked before anything is declared, so a refused config leaves no half-registered children.
        if (!config.clusterOidcProviderArn)
            throw new Error(
                `${name}: monitoring.clusterOidcProviderArn is required: the CloudWatch exporter's role trusts the cluster through it`,
            );
        const metadata = (objectName: string, extra: Record<string, string> = {}) => ({
            name: objectName,
            namespace: config.namespace,
            labels: { ...labels, ...extra },
        });

        const namespace = new k8s.core.v1.Namespace(name, { metadata: { name: config.namespace, labels } }, { parent: this });
        const inNamespace = { parent: namespace };

        const password = new random.RandomPassword(`${name}-grafana-admin`, { length: 32, special: false }, { parent: this });
        const grafanaAdmin = new k8s.core.v1.Secret(
            `${name}-grafana-admin`,
            { metadata: metadata("grafana-admin"), stringData: { "admin-user": "admin", "admin-password": password.result } },
            inNamespace,
        );

        const { slackWebhookUrl, slackInfraWebhookUrl } = args.routingSecrets;
        const pagingKeys = config.paging ? args.pagingKeys : undefined;
        if (config.paging && !pagingKeys)
            throw new Error(`${name}: monitoring.paging is on, but no PagerDuty routing keys were given (pagingKeys)`);
        // A stack that pages has the pipeline's dead man's switch, which pages as a degraded service (P2); one that does not drops the Watchdog.
        const heartbeat = pagingKeys ? this.heartbeat(name, args, config, pagingKeys[SCENARIOS.degraded.priority]) : undefined;
        const routing = pulumi
            .all([slackWebhookUrl, slackInfraWebhookUrl, pagingKeys ?? {}, heartbeat?.token ?? ""])
            .apply(([slack, slackInfra, pagerduty, token]) =>
                stringify(
                    alertmanagerConfig(
                        routingFor({
                            paging: config.paging,
                            infrastructureTeam: config.teams.infrastructure,
                            patchWindows: patchWindows(args.fleetPatching),
                        }),
                        {
                            slackWebhookUrl: slack,
                            slackInfraWebhookUrl: slackInfra,
                            ...(pagingKeys ? { pagerduty: pagerduty as Record<PagingPriority, string> } : {}),
                            ...(heartbeat ? { heartbeat: { url: heartbeat.url, token } } : {}),
                        },
                        { environment: args.sources.environment, deployedVersion: args.deployedVersion },
                    ),
                ),
            );
        const alertmanagerSecret = new k8s.core.v1.Secret(
            `${name}-alertmanager`,
            { metadata: metadata("alertmanager-routing"), stringData: { "alertmanager.yaml": pulumi.secret(routing) } },
            inNamespace,
        );

        const release = new k8s.helm.v3.Release(
            `${name}-kube-prometheus-stack`,
            {
                name: "kube-prometheus-stack",
                chart: "kube-prometheus-stack",
                version: config.chartVersion,
                repositoryOpts: { repo: PROMETHEUS_COMMUNITY },
                namespace: namespace.metadata.name,
                atomic: true,
                cleanupOnFail: true,
                values: {
                    commonLabels: chartLabels,
                    // Helm installs a chart's crds/ once and never upgrades them: the chart's
                    // pre-install/pre-upgrade/pre-rollback job applies the pinned chart's CRDs
                    // (server-side), so a chart bump brings the operator's CRDs with it.
                    crds: {
                        enabled: true,
                        upgradeJob: {
                            enabled: true,
                            // The CRDs Helm created at install belong to its field manager.
                            forceConflicts: true,
                            image: { busybox: { tag: config.crdUpgradeJobBusyboxTag } },
                        },
                    },
                    prometheus: {
                        prometheusSpec: {
                            replicas: config.prometheusReplicas,
                            retention: config.retention,
                            // Pick up every PrometheusRule and Probe, not only the chart's own.
                            ruleSelectorNilUsesHelmValues: false,
                            probeSelectorNilUsesHelmValues: false,
                            serviceMonitorSelectorNilUsesHelmValues: false,
                            // YACE sends each CloudWatch minute at its own time, older ones after newer.
                            tsdb: { outOfOrderTimeWindow: outOfOrderWindow(yaceConfig(args.sources.regions, args.sources.environment)) },
                            storageSpec: {
                                volumeClaimTemplate: {
                                    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: config.storageSize } } },
                                },
                            },
                        },
                    },
                    alertmanager: {
                        // The routing is our own Secret: useExistingSecret keeps the chart from rendering an unused one of its own.
                        alertmanagerSpec: {
                            replicas: config.alertmanagerReplicas,
                            configSecret: alertmanagerSecret.metadata.name,
                            useExistingSecret: true,
                        },
                    },
                    grafana: {
                        replicas: config.grafanaReplicas,
                        admin: { existingSecret: grafanaAdmin.metadata.name, userKey: "admin-user", passwordKey: "admin-password" },
                        sidecar: { dashboards: { enabled: true, label: DASHBOARD_LABEL, labelValue: "1", searchNamespace: "ALL" } },
                    },
                },
            },
            inNamespace,
        );
        const blackbox = new k8s.helm.v3.Release(
            `${name}-blackbox`,
            {
                name: "blackbox-exporter",
                chart: "prometheus-blackbox-exporter",
                version: config.blackboxChartVersion,
                repositoryOpts: { repo: PROMETHEUS_COMMUNITY },
                namespace: namespace.metadata.name,
                atomic: true,
                values: { commonLabels: chartLabels },
            },
            inNamespace,
        );
        const afterCrds = { parent: release, dependsOn: [release] };

        for (const group of platformRuleGroups(config, args.signals, args.fleetAlarms, args.sources.kvExportCron)) {
            new k8s.apiextensions.CustomResource(
                `${name}-${group.name}`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "PrometheusRule",
                    metadata: metadata(group.name),
                    spec: { groups: [group] },
                },
                afterCrds,
            );
        }
        for (const dashboard of platformDashboards(config, args.signals)) {
            new k8s.core.v1.ConfigMap(
                `${name}-dashboard-${dashboard.uid}`,
                {
                    metadata: metadata(`dashboard-${dashboard.uid}`, { [DASHBOARD_LABEL]: "1" }),
                    data: { [`${dashboard.uid}.json`]: JSON.stringify(dashboard) },
                },
                inNamespace,
            );
        }
        if (args.probeTargets && args.probeTargets.length > 0) {
            new k8s.apiextensions.CustomResource(
                `${name}-public-endpoints`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "Probe",
                    metadata: metadata("public-endpoints"),
                    spec: {
                        jobName: "blackbox-public-endpoints",
                        interval: "60s",
                        module: "http_2xx",
                        prober: { url: `blackbox-exporter-prometheus-blackbox-exporter.${config.namespace}.svc:9115` },
                        targets: { staticConfig: { static: args.probeTargets } },
                    },
                },
                { parent: release, dependsOn: [release, blackbox] },
            );
        }

        // The exporters that bring the AWS and Cloudflare signals in (metrics.ts lists what each produces).
        const { sources } = args;
        const exporter = { parent: this, dependsOn: [release] };
        new CloudWatchExporter(
            `${name}-cloudwatch`,
            {
                regions: sources.regions,
                environment: sources.environment,
                oidcProviderArn: config.clusterOidcProviderArn,
                namespace: config.namespace,
                chartVersion: config.exporters.cloudwatchChartVersion,
                labels: chartLabels,
            },
            exporter,
        );
        const cloudflareSource = {
            accountId: sources.cloudflareAccountId,
            namespace: namespace.metadata.name,
            labels,
            namePrefix: sources.namePrefix,
        };
        new CloudflareExporter(
            `${name}-cloudflare`,
            { ...cloudflareSource, zoneId: sources.cloudflareZoneId, chartVersion: config.exporters.cloudflareChartVersion },
            exporter,
        );
        new GatewayAnalyticsExporter(
            `${name}-gateway-analytics`,
            {
                ...cloudflareSource,
                chartLabels,
                dataset: sources.analyticsDataset,
                kvExportCron: sources.kvExportCron,
                chartVersion: config.exporters.jsonChartVersion,
            },
            exporter,
        );

        this.namespace = namespace.metadata.name;
        this.grafanaAdminSecretName = grafanaAdmin.metadata.name;
        this.registerOutputs({ namespace: this.namespace, grafanaAdminSecretName: this.grafanaAdminSecretName });
    }

    /** The dead man's switch (heartbeat.ts) and the token Alertmanager presents to it. */
    private heartbeat(
        name: string,
        args: MonitoringArgs,
        config: MonitoringConfig,
        pagerdutyRoutingKey: pulumi.Input<string>,
    ): { url: string; token: pulumi.Output<string> } {
        const token = new random.RandomPassword(`${name}-heartbeat-token`, { length: 40, special: false }, { parent: this });
        const switchWorker = new MonitoringHeartbeat(
            `${name}-heartbeat`,
            {
                accountId: args.sources.cloudflareAccountId,
                zoneId: args.sources.cloudflareZoneId,
                hostname: args.sources.heartbeat.hostname,
                scriptName: `${args.sources.namePrefix}-heartbeat`,
                environment: args.sources.environment,
                compatibilityDate: args.sources.heartbeat.compatibilityDate,
                token: token.result,
                pagerdutyRoutingKey,
                runbookUrl: runbookUrl(config.runbookBaseUrl, runbookSlug(HEARTBEAT_ALERT)),
            },
            { parent: this },
        );
        return { url: switchWorker.url, token: token.result };
    }
}
