import { jsonExporterConfig } from "../../components/monitoring/exporterConfigs";
import { requiredLabels } from "../../config/tagging";
import { redact } from "../../tools/plan/wire";
import { input, ofType, oneOfType, planOf, STACKS } from "../helpers/plan";

describe.each([
    ["dev", "7d", "20Gi", 1],
    ["staging", "15d", "50Gi", 1],
    ["production", "30d", "100Gi", 2],
] as const)("monitoring of %s", (stack, retention, storage, replicas) => {
    it("installs the pinned chart with the environment's retention, storage and replicas", async () => {
        const { resources } = await planOf(stack);
        const release = oneOfType(resources, "kubernetes:helm.sh/v3:Release", "kube-prometheus-stack");
        expect(release.inputs).toMatchObject({ chart: "kube-prometheus-stack", version: "79.5.0", namespace: "monitoring" });
        expect(input(release, "values.prometheus.prometheusSpec")).toMatchObject({
            retention,
            replicas,
            storageSpec: { volumeClaimTemplate: { spec: { resources: { requests: { storage } } } } },
            // YACE sends the ALB's last 5 minutes (length 300) at their CloudWatch times, every 60 s.
            tsdb: { outOfOrderTimeWindow: "360s" },
        });
        expect(input(release, "values.alertmanager.alertmanagerSpec.configSecret")).toBe("alertmanager-routing");
        expect(input(release, "values.grafana.admin.existingSecret")).toBe("grafana-admin");
    });
});

it.each(STACKS)("%s keeps the Grafana password and the routing secret, and labels every Kubernetes object", async (stack) => {
    const { resources, config } = await planOf(stack);
    expect(input(oneOfType(resources, "kubernetes:core/v1:Secret", "grafana-admin"), "stringData")).toBe("[secret]");
    expect(input(oneOfType(resources, "kubernetes:core/v1:Secret", "alertmanager"), "stringData")).toBe("[secret]");
    const labels = requiredLabels(config);
    for (const object of resources.filter((r) => r.type.startsWith("kubernetes:") && r.type !== "kubernetes:helm.sh/v3:Release")) {
        expect(input(object, "metadata.labels")).toMatchObject(labels);
    }
});

it("ships the rules, the dashboards and probes of the edge's public hostname", async () => {
    const { resources } = await planOf("production");
    expect(
        ofType(resources, "kubernetes:monitoring.coreos.com/v1:PrometheusRule")
            .map((r) => r.name)
            .sort(),
    ).toEqual([
        "ops-platform-production-monitoring-backups",
        "ops-platform-production-monitoring-gateway",
        "ops-platform-production-monitoring-platform",
        "ops-platform-production-monitoring-slo-gateway-availability-alerts",
        "ops-platform-production-monitoring-slo-gateway-availability-recordings",
        "ops-platform-production-monitoring-web",
    ]);
    const dashboards = ofType(resources, "kubernetes:core/v1:ConfigMap").filter(
        (c) => input(c, "metadata.labels.grafana_dashboard") === "1",
    );
    expect(dashboards.map((d) => Object.keys(d.inputs["data"] as object)[0]).sort()).toEqual([
        "backup-status.json",
        "gateway-usage.json",
        "golden-gateway.json",
        "golden-web.json",
        "slo-gateway-availability.json",
    ]);
    expect(input(oneOfType(resources, "kubernetes:monitoring.coreos.com/v1:Probe"), "spec.targets.staticConfig.static")).toEqual([
        "https://api.example.com/health",
    ]);
});

describe.each(STACKS)("the exporters of %s", (stack) => {
    it("read this environment's AWS regions and Cloudflare account with a role and tokens declared here, their secrets as secrets", async () => {
        const { resources, config } = await planOf(stack);
        const charts = Object.fromEntries(ofType(resources, "kubernetes:helm.sh/v3:Release").map((r) => [r.inputs["chart"], r]));
        const yace = charts["prometheus-yet-another-cloudwatch-exporter"]!;
        expect(yace.inputs).toMatchObject({
            version: "0.47.0",
            namespace: "monitoring",
            repositoryOpts: { repo: "https://prometheus-community.github.io/helm-charts" },
        });
        const yaceJobs = JSON.parse(String(input(yace, "values.config"))).discovery.jobs as Array<{
            regions: string[];
            searchTags: unknown;
        }>;
        for (const job of yaceJobs)
            expect([job.regions, job.searchTags]).toEqual([config.regions.map((r) => r.region), [{ key: "Environment", value: stack }]]);
        expect(input(yace, "values.serviceMonitor.enabled")).toBe(true);
        const role = oneOfType(resources, "aws:iam/role:Role", "cloudwatch");
        expect(JSON.parse(String(role.inputs["assumeRolePolicy"])).Statement[0].Principal).toEqual({
            Federated: config.monitoring.clusterOidcProviderArn,
        });

        expect(charts["cloudflare-exporter"]!.inputs).toMatchObject({
            version: "0.2.1",
            values: {
                secretRef: "cloudflare-exporter-token",
                env: [{ name: "CF_ZONES", value: config.cloudflare.zoneId }],
                serviceMonitor: { enabled: true },
            },
        });
        expect(charts["prometheus-json-exporter"]!.inputs).toMatchObject({
            version: "0.20.0",
            values: { serviceMonitor: { enabled: true } },
        });
        // Long content is a digest in the plan: the config must be the one for this stack's dataset.
        expect(input(charts["prometheus-json-exporter"]!, "values.configuration.config")).toBe(
            redact(jsonExporterConfig(`ops_platform_${stack}_gateway`, config.edge.kvBackup.cron)),
        );

        for (const name of ["monitoring-cloudflare-token", "monitoring-gateway-analytics-token"])
            expect(input(oneOfType(resources, "kubernetes:core/v1:Secret", name), "stringData")).toBe("[secret]");
        expect(ofType(resources, "cloudflare:index/apiToken:ApiToken").map((t) => t.inputs["name"])).toEqual([
            `ops-platform-${stack}-cloudflare-exporter-read`,
        ]);
    });
});

it.each(STACKS)("%s: the web alerts and the fleet's CloudWatch alarms fire at the same thresholds", async (stack) => {
    const { resources, config } = await planOf(stack);
    const rules = ofType(resources, "kubernetes:monitoring.coreos.com/v1:PrometheusRule").flatMap((r) =>
        (input(r, "spec.groups") as Array<{ rules: Array<{ alert?: string; expr: string; for?: string }> }>).flatMap((g) => g.rules),
    );
    const alarms = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
    const errorRate = rules.find((r) => r.alert === "WebHighErrorRate")!;
    const cpu = rules.find((r) => r.alert === "HighCPUUsage")!;
    for (const alarm of alarms.filter((a) => a.name.endsWith("-5xx-ratio")))
        expect([alarm.inputs["threshold"], errorRate.expr.split("> ").pop()]).toEqual([
            config.fleet.alarms.error5xxRatio,
            String(config.fleet.alarms.error5xxRatio),
        ]);
    for (const alarm of alarms.filter((a) => a.name.endsWith("-cpu")))
        expect([alarm.inputs["threshold"], alarm.inputs["evaluationPeriods"]]).toEqual([
            Number(cpu.expr.split("> ").pop()),
            Number(cpu.for!.replace("m", "")),
        ]);
});

describe.each([
    ["production", true],
    ["staging", false],
    ["dev", false],
] as const)("the dead man's switch of %s", (stack, declared) => {
    it(
        declared ? "is declared outside the cluster, on Cloudflare, on a hostname of its own" : "is not declared: the stack does not page",
        async () => {
            const { resources, config } = await planOf(stack);
            const scripts = ofType(resources, "cloudflare:index/workersScript:WorkersScript").filter((s) =>
                String(s.inputs["scriptName"]).endsWith("-heartbeat"),
            );
            expect(scripts).toHaveLength(declared ? 1 : 0);
            if (!declared) return;
            const hostname = `${config.edge.hostname}-heartbeat.${config.cloudflare.zoneName}`;
            const bindings = scripts[0]!.inputs["bindings"] as Array<Record<string, unknown>>;
            expect(bindings).toEqual(
                expect.arrayContaining([
                    { type: "durable_object_namespace", name: "HEARTBEAT", className: "Heartbeat" },
                    { type: "plain_text", name: "HEARTBEAT_WINDOW_SECONDS", text: "180" },
                    { type: "secret_text", name: "HEARTBEAT_TOKEN", text: "[secret]" },
                    { type: "secret_text", name: "PAGERDUTY_ROUTING_KEY", text: "[secret]" },
                ]),
            );
            // The class's migration rides the non-versioned upload (a version upload refuses it, 10211).
            expect(scripts[0]!.inputs["migrations"]).toEqual({ newTag: "v1", steps: [{ newSqliteClasses: ["Heartbeat"] }] });
            expect(oneOfType(resources, "cloudflare:index/dnsRecord:DnsRecord", "heartbeat").inputs).toMatchObject({
                name: hostname,
                type: "AAAA",
                content: "100::",
                proxied: true,
            });
            expect(oneOfType(resources, "cloudflare:index/workersRoute:WorkersRoute", "heartbeat").inputs).toMatchObject({
                pattern: `${hostname}/*`,
                script: scripts[0]!.inputs["scriptName"],
            });
        },
    );
});
