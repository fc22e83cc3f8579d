/** The generated Alertmanager configuration, checked by amtool itself. */
import { stringify } from "yaml";
import { SEED_ROUTING, alertmanagerConfig } from "../../components/monitoring/alertRouting";
import { runSystemTool, writeYamlFiles } from "../helpers/tools";

// Stand-in receiver endpoints of the right shape; real ones are Pulumi secrets.
const endpoints = {
    slackWebhookUrl: "https://hooks.slack.test/services/T000/B000/general",
    slackInfraWebhookUrl: "https://hooks.slack.test/services/T000/B000/infra",
    pagerdutyRoutingKey: "0123456789abcdef0123456789abcdef",
};
const dir = writeYamlFiles({ "alertmanager.yml": stringify(alertmanagerConfig(SEED_ROUTING, endpoints)) });

it("passes amtool check-config", () => {
    const result = runSystemTool("amtool", ["check-config", "alertmanager.yml"], dir);
    expect(result.output).toContain("SUCCESS");
    expect(result.status).toBe(0);
});

it.each([
    ["a backend critical pages", ["severity=critical", "team=backend", "alertname=HighErrorRate", "service=gateway"], "pagerduty-critical"],
    [
        "an infrastructure critical pages and tells the infrastructure channel",
        ["severity=critical", "team=infrastructure", "alertname=ServiceDown"],
        "pagerduty-critical,slack-infrastructure",
    ],
    ["a backend warning goes to Slack", ["severity=warning", "team=backend", "alertname=HighLatency"], "slack-warnings"],
    [
        "an infrastructure warning goes to its own Slack",
        ["severity=warning", "team=infrastructure", "alertname=HighCPUUsage"],
        "slack-infrastructure",
    ],
    ["anything else goes to the default Slack", ["severity=info", "alertname=Watchdog"], "slack-warnings"],
])("%s", (_, labels, receivers) => {
    const result = runSystemTool(
        "amtool",
        ["config", "routes", "test", "--config.file=alertmanager.yml", `--verify.receivers=${receivers}`, ...labels],
        dir,
    );
    expect(result.stdout.trim()).toBe(receivers);
    expect(result.status).toBe(0);
});

it("groups by alertname, cluster and service at 30s/5m/4h and inhibits warnings while the matching critical fires", () => {
    const config = alertmanagerConfig(SEED_ROUTING, endpoints) as { route: Record<string, unknown>; inhibit_rules: unknown[] };
    expect(config.route).toMatchObject({
        group_by: ["alertname", "cluster", "service"],
        group_wait: "30s",
        group_interval: "5m",
        repeat_interval: "4h",
    });
    expect(config.inhibit_rules).toEqual([
        { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ["alertname", "service", "instance"] },
    ]);
});

it("refuses a route to a receiver that does not exist", () => {
    expect(() => alertmanagerConfig({ ...SEED_ROUTING, routes: [{ matchers: ['team="db"'], receiver: "db-pager" }] }, endpoints)).toThrow(
        "routing names receivers that do not exist: db-pager",
    );
});
