/** The generated Alertmanager configuration, checked by amtool itself: who hears of each priority, in a stack that pages and one that does not. */
import { stringify } from "yaml";
import { alertmanagerConfig, routingFor } from "../../components/monitoring/alertRouting";
import { SCENARIOS, type Scenario } from "../../components/monitoring/ruleTypes";
import { validateConfig } from "../../config/load";
import { rawOf, withKey } from "../helpers/config";
import { runSystemTool, writeYamlFiles } from "../helpers/tools";

// Stand-in receiver endpoints of the right shape; real ones are Pulumi secrets.
const endpoints = {
    slackWebhookUrl: "https://hooks.slack.test/services/T000/B000/general",
    slackInfraWebhookUrl: "https://hooks.slack.test/services/T000/B000/infra",
    pagerdutyRoutingKey: "0123456789abcdef0123456789abcdef",
};
const CONTEXT = { environment: "production", deployedVersion: "0123456789ab" };
/** Each stack's routing as its stack file makes it. */
const stacks = Object.fromEntries(
    (["dev", "staging", "production"] as const).map((stack) => {
        const { monitoring } = validateConfig(rawOf(stack));
        const config = alertmanagerConfig(
            routingFor({ paging: monitoring.paging, infrastructureTeam: monitoring.teams.infrastructure }),
            endpoints,
            { ...CONTEXT, environment: stack },
        );
        return [stack, { config, dir: writeYamlFiles({ "alertmanager.yml": stringify(config) }) }];
    }),
);

it.each(Object.keys(stacks))("%s: passes amtool check-config", (stack) => {
    const result = runSystemTool("amtool", ["check-config", "alertmanager.yml"], stacks[stack]!.dir);
    expect([result.status, result.output]).toEqual([0, expect.stringContaining("SUCCESS")]);
});

const receiversOf = (stack: string, labels: string[]) => {
    const result = runSystemTool("amtool", ["config", "routes", "test", "--config.file=alertmanager.yml", ...labels], stacks[stack]!.dir);
    expect(result.status).toBe(0);
    return result.stdout.trim();
};
const labelsOf = (scenario: Scenario, team: string) => [
    `severity=${SCENARIOS[scenario].severity}`,
    `priority=${SCENARIOS[scenario].priority}`,
    `team=${team}`,
    "alertname=Example",
    "service=gateway",
];

describe.each<[string, string, string]>([
    // stack, what a service team's P1/P2 reaches, what an infrastructure P1/P2 reaches
    ["production", "pagerduty,slack-service", "pagerduty,slack-infrastructure"],
    ["staging", "slack-service", "slack-infrastructure"],
    ["dev", "slack-service", "slack-infrastructure"],
])("%s", (stack, servicePage, infrastructurePage) => {
    it.each<[Scenario, string, string]>([
        ["down", servicePage, infrastructurePage],
        ["degraded", servicePage, infrastructurePage],
        ["sustained", "slack-service", "slack-infrastructure"],
        ["trend", "slack-digest", "slack-digest"],
    ])("a %s alert (its priority) reaches these receivers", (scenario, service, infrastructure) => {
        expect([receiversOf(stack, labelsOf(scenario, "backend")), receiversOf(stack, labelsOf(scenario, "infrastructure"))]).toEqual([
            service,
            infrastructure,
        ]);
    });

    it("a warning never reaches PagerDuty, whatever priority it carries", () => {
        expect(receiversOf(stack, ["severity=warning", "priority=P1", "team=backend", "alertname=Mislabelled"])).not.toContain("pagerduty");
    });
});

it.each(Object.keys(stacks))("%s: sends kube-prometheus-stack's Watchdog to the heartbeat only, every minute", (stack) => {
    expect(receiversOf(stack, ["alertname=Watchdog", "severity=none"])).toBe("heartbeat");
    const route = (stacks[stack]!.config as { route: { routes: Array<Record<string, unknown>> } }).route.routes[0];
    expect(route).toMatchObject({ receiver: "heartbeat", group_wait: "0s", group_interval: "60s", repeat_interval: "60s" });
});

it("posts the heartbeat with its token where there is a switch, and drops the Watchdog where there is none", () => {
    const spec = routingFor({ paging: true, infrastructureTeam: "infrastructure" });
    const withSwitch = alertmanagerConfig(
        spec,
        { ...endpoints, heartbeat: { url: "https://hb.example.com/beat", token: "t0ken" } },
        CONTEXT,
    ) as {
        receivers: Array<Record<string, unknown>>;
    };
    expect(withSwitch.receivers.find((r) => r["name"] === "heartbeat")).toEqual({
        name: "heartbeat",
        webhook_configs: [
            {
                url: "https://hb.example.com/beat",
                send_resolved: false,
                http_config: { authorization: { type: "Bearer", credentials: "t0ken" } },
            },
        ],
    });
    const dir = writeYamlFiles({ "alertmanager.yml": stringify(withSwitch) });
    expect(runSystemTool("amtool", ["check-config", "alertmanager.yml"], dir).status).toBe(0);
    const without = alertmanagerConfig(spec, endpoints, CONTEXT) as { receivers: Array<Record<string, unknown>> };
    expect(without.receivers.find((r) => r["name"] === "heartbeat")).toEqual({ name: "heartbeat" });
});

it("pages from dev only when its stack file says so", () => {
    const { monitoring } = validateConfig(withKey("dev", "monitoring", { paging: true }, true));
    const dir = writeYamlFiles({
        "alertmanager.yml": stringify(
            alertmanagerConfig(routingFor({ paging: monitoring.paging, infrastructureTeam: "infrastructure" }), endpoints, CONTEXT),
        ),
    });
    const result = runSystemTool(
        "amtool",
        ["config", "routes", "test", "--config.file=alertmanager.yml", ...labelsOf("down", "backend")],
        dir,
    );
    expect(result.stdout.trim()).toBe("pagerduty,slack-service");
});

it("sends the digest only in its weekday window, once a day, and inhibits lower severities while the matching critical fires", () => {
    const config = stacks["production"]!.config as {
        route: { routes: Array<Record<string, unknown>> };
        inhibit_rules: unknown[];
        time_intervals: unknown[];
    };
    expect(config.route.routes.find((r) => r["receiver"] === "slack-digest")).toMatchObject({
        active_time_intervals: ["digest-window"],
        repeat_interval: "24h",
    });
    expect(config.time_intervals).toEqual([
        { name: "digest-window", time_intervals: [{ weekdays: ["monday:friday"], times: [{ start_time: "09:00", end_time: "09:30" }] }] },
    ]);
    expect(config.inhibit_rules).toEqual([
        {
            source_matchers: ['severity="critical"'],
            target_matchers: ['severity=~"warning|info"'],
            equal: ["alertname", "service", "instance"],
        },
    ]);
});

it("puts the priority, the environment, the deployed version, the runbook and the dashboard into the page", () => {
    const config = stacks["production"]!.config as { receivers: Array<{ name: string; pagerduty_configs?: unknown[] }> };
    expect(config.receivers.find((r) => r.name === "pagerduty")!.pagerduty_configs![0]).toMatchObject({
        description: "[{{ .CommonLabels.priority }}] production: {{ .CommonAnnotations.summary }}",
        details: expect.objectContaining({
            environment: "production",
            deployed_version: "0123456789ab",
            priority: "{{ .CommonLabels.priority }}",
        }),
        links: [
            { href: "{{ .CommonAnnotations.runbook }}", text: "Runbook" },
            { href: "{{ .CommonAnnotations.dashboard }}", text: "Dashboard" },
        ],
    });
});

it("refuses a route to a receiver or a time interval that does not exist", () => {
    const spec = routingFor({ paging: true, infrastructureTeam: "infrastructure" });
    expect(() => alertmanagerConfig({ ...spec, routes: [{ matchers: ['team="db"'], receiver: "db-pager" }] }, endpoints, CONTEXT)).toThrow(
        "routing names receivers that do not exist: db-pager",
    );
    expect(() =>
        alertmanagerConfig(
            { ...spec, routes: [{ matchers: ['team="db"'], receiver: "slack-service", activeTimeIntervals: ["weekends"] }] },
            endpoints,
            CONTEXT,
        ),
    ).toThrow("routing names time intervals that do not exist: weekends");
});

it("writes Slack messages and pages whose templates Alertmanager renders, a digest of many alerts included", () => {
    const config = stacks["production"]!.config as {
        receivers: Array<{
            name: string;
            slack_configs?: Array<Record<string, string>>;
            pagerduty_configs?: Array<Record<string, unknown>>;
        }>;
    };
    const slack = config.receivers.find((r) => r.name === "slack-digest")!.slack_configs![0]!;
    const pager = config.receivers.find((r) => r.name === "pagerduty")!.pagerduty_configs![0]!;
    // amtool renders with its example data: two alerts with no annotations in common.
    const dir = writeYamlFiles({ "empty.tmpl": '{{ define "unused" }}{{ end }}' });
    const render = (text: string) =>
        runSystemTool("amtool", ["template", "render", "--template.glob=empty.tmpl", `--template.text=${text}`], dir);
    expect(render(slack["title"]!)).toMatchObject({ status: 0, stdout: expect.stringContaining("production: 2 alerts") });
    expect(render(slack["text"]!)).toMatchObject({ status: 0, stdout: expect.stringContaining("Gateway version deployed: 0123456789ab") });
    expect(render(String(pager["description"]))).toMatchObject({ status: 0, stdout: expect.stringContaining("production:") });
});
