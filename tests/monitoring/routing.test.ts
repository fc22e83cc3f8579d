/** The generated Alertmanager configuration, checked by amtool itself: who hears of each priority, in a stack that pages and one that does not. */
import { stringify } from "yaml";
import { alertmanagerConfig, patchWindows, routingFor } from "../../components/monitoring/alertRouting";
import { EXPECTED_DURING_PATCHING } from "../../components/monitoring/alertRules";
import { platformRuleGroups } from "../../components/monitoring/content";
import { PAGING_PRIORITIES, SCENARIOS, isAlert, type Scenario } from "../../components/monitoring/ruleTypes";
import { sectionSettings } from "../../config/sections";
import { validateConfig } from "../../config/load";
import { problemsOf, rawOf, withKey, withKeys } from "../helpers/config";
import { runSystemTool, writeYamlFiles } from "../helpers/tools";

// Stand-in receiver endpoints of the right shape; real ones are Pulumi secrets.
const endpoints = {
    slackWebhookUrl: "https://hooks.slack.test/services/T000/B000/general",
    slackInfraWebhookUrl: "https://hooks.slack.test/services/T000/B000/infra",
    pagerduty: { P1: "p1p1p1p1p1p1p1p1p1p1p1p1p1p1p1p1", P2: "p2p2p2p2p2p2p2p2p2p2p2p2p2p2p2p2" },
};
const CONTEXT = { environment: "production", deployedVersion: "0123456789ab" };
const DEFAULT_PATCHING = sectionSettings("fleet", undefined, "the routing tests").patching;
/** Each stack's routing as its stack file makes it. */
const stacks = Object.fromEntries(
    (["dev", "staging", "production"] as const).map((stack) => {
        const { monitoring, fleet } = validateConfig(rawOf(stack));
        const config = alertmanagerConfig(
            routingFor({
                paging: monitoring.paging,
                infrastructureTeam: monitoring.teams.infrastructure,
                patchWindows: patchWindows(fleet.patching),
            }),
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

describe.each<[string, boolean]>([
    // stack, whether its P1 and P2 page (monitoring.paging)
    ["production", true],
    ["staging", false],
    ["dev", false],
])("%s", (stack, pages) => {
    // A page reaches its priority's PagerDuty service (only P1's escalation reaches the VP), and the team's channel too.
    const reached = (scenario: Scenario, channel: string) => {
        const priority = SCENARIOS[scenario].priority;
        return pages && (PAGING_PRIORITIES as readonly string[]).includes(priority)
            ? `pagerduty-${priority.toLowerCase()},${channel}`
            : channel;
    };
    it.each<[Scenario, string]>([
        ["down", "P1"],
        ["degraded", "P2"],
        ["sustained", "P3"],
        ["trend", "P4"],
    ])("a %s alert (%s) reaches its receivers", (scenario) => {
        const channels = scenario === "trend" ? ["slack-digest", "slack-digest"] : ["slack-service", "slack-infrastructure"];
        expect([receiversOf(stack, labelsOf(scenario, "backend")), receiversOf(stack, labelsOf(scenario, "infrastructure"))]).toEqual([
            reached(scenario, channels[0]!),
            reached(scenario, channels[1]!),
        ]);
    });

    it("a warning never reaches PagerDuty, whatever priority it carries", () => {
        for (const priority of PAGING_PRIORITIES)
            expect(receiversOf(stack, ["severity=warning", `priority=${priority}`, "team=backend", "alertname=Mislabelled"])).not.toContain(
                "pagerduty",
            );
    });
});

it.each(Object.keys(stacks))("%s: sends kube-prometheus-stack's Watchdog to the heartbeat only, every minute", (stack) => {
    expect(receiversOf(stack, ["alertname=Watchdog", "severity=none"])).toBe("heartbeat");
    const route = (stacks[stack]!.config as { route: { routes: Array<Record<string, unknown>> } }).route.routes[0];
    expect(route).toMatchObject({ receiver: "heartbeat", group_wait: "0s", group_interval: "60s", repeat_interval: "60s" });
});

it("posts the heartbeat with its token where there is a switch, and drops the Watchdog where there is none", () => {
    const spec = routingFor({ paging: true, infrastructureTeam: "infrastructure", patchWindows: [] });
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
    const raw = withKeys("dev", { monitoring: { paging: true }, pagerdutyRoutingKey: "a-key-from-pagerduty" }, true);
    const { monitoring } = validateConfig({ ...raw, secretKeys: new Set([...raw.secretKeys, "pagerdutyRoutingKey"]) });
    const dir = writeYamlFiles({
        "alertmanager.yml": stringify(
            alertmanagerConfig(
                routingFor({ paging: monitoring.paging, infrastructureTeam: "infrastructure", patchWindows: [] }),
                endpoints,
                CONTEXT,
            ),
        ),
    });
    const result = runSystemTool(
        "amtool",
        ["config", "routes", "test", "--config.file=alertmanager.yml", ...labelsOf("down", "backend")],
        dir,
    );
    expect(result.stdout.trim()).toBe("pagerduty-p1,slack-service");
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
    expect(config.time_intervals).toContainEqual({
        name: "digest-window",
        time_intervals: [{ weekdays: ["monday:friday"], times: [{ start_time: "09:00", end_time: "09:30" }] }],
    });
    expect(config.inhibit_rules).toContainEqual({
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity=~"warning|info"'],
        equal: ["alertname", "service", "instance"],
    });
});

it("puts the priority, the environment, the deployed version, the runbook and the dashboard into the page", () => {
    const config = stacks["production"]!.config as { receivers: Array<{ name: string; pagerduty_configs?: unknown[] }> };
    expect(config.receivers.find((r) => r.name === "pagerduty-p1")!.pagerduty_configs![0]).toMatchObject({
        routing_key: endpoints.pagerduty.P1,
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
    const spec = routingFor({ paging: true, infrastructureTeam: "infrastructure", patchWindows: [] });
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
    const pager = config.receivers.find((r) => r.name === "pagerduty-p2")!.pagerduty_configs![0]!;
    // amtool renders with its example data: two alerts with no annotations in common.
    const dir = writeYamlFiles({ "empty.tmpl": '{{ define "unused" }}{{ end }}' });
    const render = (text: string) =>
        runSystemTool("amtool", ["template", "render", "--template.glob=empty.tmpl", `--template.text=${text}`], dir);
    expect(render(slack["title"]!)).toMatchObject({ status: 0, stdout: expect.stringContaining("production: 2 alerts") });
    expect(render(slack["text"]!)).toMatchObject({ status: 0, stdout: expect.stringContaining("Gateway version deployed: 0123456789ab") });
    expect(render(String(pager["description"]))).toMatchObject({ status: 0, stdout: expect.stringContaining("production:") });
});

describe("the patch windows (fleet.patching) mute what the waves cause, and nothing that pages", () => {
    const windows = (stack: string) =>
        (stacks[stack]!.config as { time_intervals: Array<{ name: string; time_intervals: unknown[] }> }).time_intervals.find(
            (t) => t.name === "patch-windows",
        )!.time_intervals;

    it.each([
        ["production", ["wednesday", "thursday", "friday"]],
        ["staging", ["tuesday"]],
        ["dev", ["monday"]],
    ])("%s: one window a wave, a day apart, 03:00 for windowHours (UTC)", (stack, days) => {
        expect(windows(stack)).toEqual(days.map((day) => ({ weekdays: [day], times: [{ start_time: "03:00", end_time: "06:00" }] })));
    });

    it("splits a window that runs past midnight into the two days it covers", () => {
        expect(patchWindows({ ...DEFAULT_PATCHING, windowSchedule: "cron(30 23 ? * SAT *)", windowHours: 3, waves: [50, 100] })).toEqual([
            { weekdays: ["saturday"], times: [{ start_time: "23:30", end_time: "24:00" }] },
            { weekdays: ["sunday"], times: [{ start_time: "00:00", end_time: "02:30" }] },
            { weekdays: ["sunday"], times: [{ start_time: "23:30", end_time: "24:00" }] },
            { weekdays: ["monday"], times: [{ start_time: "00:00", end_time: "02:30" }] },
        ]);
    });

    it("mutes only alerts that page nobody, on both teams' routes", () => {
        const routes = (stacks["production"]!.config as { route: { routes: Array<Record<string, unknown>> } }).route.routes;
        const muted = routes.filter((r) => (r["mute_time_intervals"] as string[] | undefined)?.includes("patch-windows"));
        expect(muted.map((r) => r["receiver"])).toEqual(["slack-infrastructure", "slack-service"]);
        const { monitoring, fleet } = validateConfig(rawOf("production"));
        const alerts = platformRuleGroups(monitoring, { fleetPrefix: "x-", gatewayScript: "x" }, fleet.alarms).flatMap((g) =>
            g.rules.filter(isAlert),
        );
        for (const name of EXPECTED_DURING_PATCHING)
            for (const rule of alerts.filter((a) => a.alert === name))
                expect([name, PAGING_PRIORITIES.includes(rule.labels["priority"] as never)]).toEqual([name, false]);
        expect(receiversOf("production", ["alertname=HighCPUUsage", "severity=warning", "priority=P3", "team=infrastructure"])).toBe(
            "slack-infrastructure",
        );
    });

    it("refuses a window schedule it cannot turn into time intervals, naming the key", () => {
        const problems = problemsOf(withKey("dev", "fleet", { patching: { windowSchedule: "rate(7 days)", waves: [100] } }, true));
        expect(problems).toContainEqual(
            expect.stringMatching(
                /^dev: ops-platform:fleet\.patching\.windowSchedule: "rate\(7 days\)" names no single minute, hour and weekday/,
            ),
        );
    });
});

describe("one symptom, one page: the inhibit rules leave one paging alert of each symptom", () => {
    const { monitoring, fleet, edge } = validateConfig(rawOf("production"));
    const rules = platformRuleGroups(monitoring, { fleetPrefix: "x-", gatewayScript: "x" }, fleet.alarms, edge.kvBackup.cron).flatMap((g) =>
        g.rules.filter(isAlert),
    );
    const labelsOf = (alert: string): Record<string, string> => ({ alertname: alert, ...rules.find((r) => r.alert === alert)!.labels });
    const inhibit = (
        stacks["production"]!.config as { inhibit_rules: Array<{ source_matchers: string[]; target_matchers: string[]; equal: string[] }> }
    ).inhibit_rules;
    /** Alertmanager's matcher on a label set: an absent label is the empty string. */
    const matches = (matcher: string, labels: Record<string, string>) => {
        const [, name, op, value] = /^(\w+)(=~|!=|=)"(.*)"$/.exec(matcher)!;
        const actual = labels[name!] ?? "";
        return op === "=" ? actual === value : op === "!=" ? actual !== value : new RegExp(`^(?:${value})$`).test(actual);
    };
    /** The alerts of `firing` that still page: no rule has a firing source for them. */
    const paging = (firing: string[]) =>
        firing.filter((target) => {
            const t = labelsOf(target);
            if (!PAGING_PRIORITIES.includes(t["priority"] as never) || t["severity"] !== "critical") return false;
            return !inhibit.some(
                (rule) =>
                    rule.target_matchers.every((m) => matches(m, t)) &&
                    firing.some((source) => {
                        const s = labelsOf(source);
                        return (
                            source !== target &&
                            rule.source_matchers.every((m) => matches(m, s)) &&
                            rule.equal.every((l) => (s[l] ?? "") === (t[l] ?? ""))
                        );
                    }),
            );
        });

    it.each([
        ["a gateway 5xx burst", ["GatewayHighErrorRate", "GatewayAvailabilityBudgetBurn1h"], ["GatewayHighErrorRate"]],
        [
            "the gateway down",
            ["EndpointDown", "GatewayHighErrorRate", "GatewayWorkerErrors", "GatewayAvailabilityBudgetBurn1h"],
            ["EndpointDown"],
        ],
        ["a fleet with no healthy host", ["WebNoHealthyHosts", "WebHighErrorRate"], ["WebNoHealthyHosts"]],
    ])("%s pages once", (_, firing, pages) => {
        expect(paging(firing)).toEqual(pages);
    });

    it("while two services' symptoms page each", () => {
        expect(paging(["GatewayHighErrorRate", "WebHighErrorRate"])).toEqual(["GatewayHighErrorRate", "WebHighErrorRate"]);
    });
});
