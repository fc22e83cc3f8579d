/**
 * Alertmanager's configuration from a typed routing spec. Alertmanager is the one system that
 * pages (README "Paging"): the source documents' tree (group by alertname/cluster/service,
 * 30s/5m/4h) routed by priority (ruleTypes.ts SCENARIOS): P1 and P2 page and continue to their
 * team's channel, P3 goes to the team's Slack as a ticket, P4 to a daily digest; lower
 * severities are inhibited while the matching critical fires.
 */
import type { FleetConfig } from "../../config/schema";
import { weeklyCron } from "../../policies/lib/backupMatrix";
import { HEARTBEAT_INTERVAL_SECONDS } from "../../workers/heartbeat/src/contract";
import { EXPECTED_DURING_PATCHING } from "./alertRules";
import { PAGING_PRIORITIES, type PagingPriority } from "./ruleTypes";

export interface RoutingSecrets {
    slackWebhookUrl: string;
    slackInfraWebhookUrl: string;
    /** The Events API v2 routing key each paging priority pages through; required where the stack pages. */
    pagerduty?: Record<PagingPriority, string>;
    /** The dead man's switch (heartbeat.ts): where the Watchdog goes, with its token. None: the Watchdog is dropped. */
    heartbeat?: { url: string; token: string };
}

type ReceiverKind = PagerDutyReceiver | "slack" | "slack-infrastructure" | "heartbeat";
type PagerDutyReceiver = `pagerduty-${Lowercase<PagingPriority>}`;
const pagerdutyReceiver = (priority: PagingPriority): PagerDutyReceiver =>
    `pagerduty-${priority.toLowerCase() as Lowercase<PagingPriority>}`;

interface RouteSpec {
    matchers: string[];
    receiver: string;
    continue?: boolean;
    /** A route's own grouping and timing (the digest's, the heartbeat's), else the tree's. */
    groupBy?: string[];
    groupWait?: string;
    groupInterval?: string;
    repeatInterval?: string;
    /** Named time intervals outside which this route sends nothing. */
    activeTimeIntervals?: string[];
    /** Named time intervals within which this route sends nothing. */
    muteTimeIntervals?: string[];
}

/** Alertmanager's time interval: weekdays such as "monday:friday", times as "HH:MM" in `location`. */
interface TimeInterval {
    weekdays?: string[];
    times?: Array<{ start_time: string; end_time: string }>;
    location?: string;
}

export interface RoutingSpec {
    groupBy: string[];
    groupWait: string;
    groupInterval: string;
    repeatInterval: string;
    defaultReceiver: string;
    receivers: Record<string, ReceiverKind>;
    routes: RouteSpec[];
    inhibit: Array<{ source: string[]; target: string[]; equal: string[] }>;
    timeIntervals: Record<string, TimeInterval[]>;
}

/** What a stack decides of its routing: whether it pages (monitoring.paging), and the infrastructure team's name. */
export interface RoutingChoices {
    paging: boolean;
    infrastructureTeam: string;
    /** The patch waves' windows (patchWindows), in which what they cause is muted. */
    patchWindows: TimeInterval[];
}

const DAY_NAMES = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

/**
 * The patch waves' maintenance windows as Alertmanager time intervals (UTC, as the windows set no
 * time zone): the first wave's weekly cron and each later wave a day after (components/fleet/patching.ts),
 * each `windowHours` long, split at midnight. Throws for a schedule that names no single minute, hour and weekday.
 */
export function patchWindows(patching: FleetConfig["patching"]): TimeInterval[] {
    const weekly = weeklyCron(patching.windowSchedule);
    const [minute, hour] = weekly?.fields ?? [];
    if (!weekly || !/^\d+$/.test(minute!) || !/^\d+$/.test(hour!))
        throw new Error(
            `"${patching.windowSchedule}" names no single minute, hour and weekday, so Alertmanager cannot mute what the patch windows cause; expected a weekly cron such as cron(0 3 ? * WED *)`,
        );
    const start = Number(hour) * 60 + Number(minute);
    const end = start + patching.windowHours * 60;
    const within = (day: number, from: number, to: number): TimeInterval => ({
        weekdays: [DAY_NAMES[day % 7]!],
        times: [{ start_time: hhmm(from), end_time: hhmm(to) }],
    });
    return patching.waves.flatMap((_, wave) => {
        const day = weekly.weekday + wave;
        return end <= 24 * 60 ? [within(day, start, end)] : [within(day, start, 24 * 60), within(day + 1, 0, end - 24 * 60)];
    });
}

/** The P4 digest goes out once each business day, in its first half hour (UTC). */
const DIGEST_WINDOW: TimeInterval[] = [{ weekdays: ["monday:friday"], times: [{ start_time: "09:00", end_time: "09:30" }] }];

/** The routing of a stack: pages only where it pages, the infrastructure team as configured (monitoring.teams.infrastructure). */
export function routingFor(choices: RoutingChoices): RoutingSpec {
    // Each paging priority has its PagerDuty service: only P1's escalation reaches the VP (components/oncall).
    const pages: RouteSpec[] = PAGING_PRIORITIES.map((priority) => ({
        matchers: [`priority="${priority}"`, 'severity="critical"'],
        receiver: pagerdutyReceiver(priority),
        continue: true,
    }));
    const pagerdutyReceivers = choices.paging
        ? Object.fromEntries(PAGING_PRIORITIES.map((priority) => [pagerdutyReceiver(priority), pagerdutyReceiver(priority)]))
        : {};
    return {
        groupBy: ["alertname", "cluster", "service"],
        groupWait: "30s",
        groupInterval: "5m",
        repeatInterval: "4h",
        defaultReceiver: "slack-service",
        receivers: {
            heartbeat: "heartbeat",
            ...pagerdutyReceivers,
            "slack-service": "slack",
            "slack-infrastructure": "slack-infrastructure",
            "slack-digest": "slack",
        },
        routes: [
            // kube-prometheus-stack's always-firing Watchdog is the pipeline's heartbeat, and nothing else's business.
            {
                matchers: ['alertname="Watchdog"'],
                receiver: "heartbeat",
                groupWait: "0s",
                groupInterval: `${HEARTBEAT_INTERVAL_SECONDS}s`,
                repeatInterval: `${HEARTBEAT_INTERVAL_SECONDS}s`,
            },
            // A page, then routing continues so its team's channel hears of it too.
            ...(choices.paging ? pages : []),
            // Within the window the digest is sent; repeated daily while the alerts last.
            {
                matchers: ['priority="P4"'],
                receiver: "slack-digest",
                groupBy: ["priority"],
                groupInterval: "5m",
                repeatInterval: "24h",
                activeTimeIntervals: ["digest-window"],
            },
            // What the patch waves cause is muted in their windows, for either team.
            {
                matchers: [`alertname=~"${EXPECTED_DURING_PATCHING.join("|")}"`, `team="${choices.infrastructureTeam}"`],
                receiver: "slack-infrastructure",
                muteTimeIntervals: ["patch-windows"],
            },
            {
                matchers: [`alertname=~"${EXPECTED_DURING_PATCHING.join("|")}"`],
                receiver: "slack-service",
                muteTimeIntervals: ["patch-windows"],
            },
            { matchers: [`team="${choices.infrastructureTeam}"`], receiver: "slack-infrastructure" },
            // Every other team's channel, a page's included (the tree's default hears only what no route took).
            { matchers: [], receiver: "slack-service" },
        ],
        inhibit: [
            { source: ['severity="critical"'], target: ['severity=~"warning|info"'], equal: ["alertname", "service", "instance"] },
            // One symptom, one page: a service down (P1) silences its degraded pages (P2) ...
            { source: ['priority="P1"'], target: ['priority="P2"'], equal: ["service"] },
            // ... and a symptom's own page silences the SLO burn alert the same errors raise.
            { source: ['severity="critical"', 'slo=""'], target: ['severity="critical"', 'slo!=""'], equal: ["service"] },
        ],
        timeIntervals: { "digest-window": DIGEST_WINDOW, "patch-windows": choices.patchWindows },
    };
}

/** What every page and message says of where it comes from: the environment, and the gateway version deployed last. */
export interface PageContext {
    environment: string;
    deployedVersion: string;
}

/** One line per alert, so a digest of many reads as well as a single alert. */
const slackMessage = (context: PageContext) => ({
    send_resolved: true,
    title: `[{{ .CommonLabels.priority }}] ${context.environment}: {{ if .CommonAnnotations.summary }}{{ .CommonAnnotations.summary }}{{ else }}{{ len .Alerts }} alerts{{ end }}`,
    text: `{{ range .Alerts }}• {{ .Annotations.summary }}: {{ .Annotations.description }} (runbook {{ .Annotations.runbook }}, dashboard {{ .Annotations.dashboard }})\n{{ end }}Gateway version deployed: ${context.deployedVersion}`,
});

function receiver(name: string, kind: ReceiverKind, secrets: RoutingSecrets, context: PageContext): Record<string, unknown> {
    switch (kind) {
        case "pagerduty-p1":
        case "pagerduty-p2": {
            const priority = kind.slice("pagerduty-".length).toUpperCase() as PagingPriority;
            if (!secrets.pagerduty) throw new Error(`routing pages, but no PagerDuty routing key was given for ${priority}`);
            return {
                name,
                pagerduty_configs: [
                    {
                        routing_key: secrets.pagerduty[priority],
                        send_resolved: true,
                        severity: "{{ .CommonLabels.severity }}",
                        description: `[{{ .CommonLabels.priority }}] ${context.environment}: {{ .CommonAnnotations.summary }}`,
                        details: {
                            environment: context.environment,
                            deployed_version: context.deployedVersion,
                            priority: "{{ .CommonLabels.priority }}",
                            service: "{{ .CommonLabels.service }}",
                            team: "{{ .CommonLabels.team }}",
                            description: "{{ .CommonAnnotations.description }}",
                        },
                        links: [
                            { href: "{{ .CommonAnnotations.runbook }}", text: "Runbook" },
                            { href: "{{ .CommonAnnotations.dashboard }}", text: "Dashboard" },
                        ],
                    },
                ],
            };
        }
        case "heartbeat":
            return secrets.heartbeat
                ? {
                      name,
                      webhook_configs: [
                          {
                              url: secrets.heartbeat.url,
                              send_resolved: false,
                              http_config: { authorization: { type: "Bearer", credentials: secrets.heartbeat.token } },
                          },
                      ],
                  }
                : { name };
        case "slack":
            return { name, slack_configs: [{ api_url: secrets.slackWebhookUrl, ...slackMessage(context) }] };
        case "slack-infrastructure":
            return { name, slack_configs: [{ api_url: secrets.slackInfraWebhookUrl, ...slackMessage(context) }] };
    }
}

/** The alertmanager.yaml document. Contains secrets: keep the result secret. */
export function alertmanagerConfig(spec: RoutingSpec, secrets: RoutingSecrets, context: PageContext): Record<string, unknown> {
    const unknown = [spec.defaultReceiver, ...spec.routes.map((r) => r.receiver)].filter((r) => !(r in spec.receivers));
    if (unknown.length > 0) throw new Error(`routing names receivers that do not exist: ${unknown.join(", ")}`);
    const intervals = spec.routes
        .flatMap((r) => [...(r.activeTimeIntervals ?? []), ...(r.muteTimeIntervals ?? [])])
        .filter((i) => !(i in spec.timeIntervals));
    if (intervals.length > 0) throw new Error(`routing names time intervals that do not exist: ${intervals.join(", ")}`);
    return {
        route: {
            receiver: spec.defaultReceiver,
            group_by: spec.groupBy,
            group_wait: spec.groupWait,
            group_interval: spec.groupInterval,
            repeat_interval: spec.repeatInterval,
            routes: spec.routes.map((r) => ({
                receiver: r.receiver,
                matchers: r.matchers,
                ...(r.continue ? { continue: true } : {}),
                ...(r.groupBy ? { group_by: r.groupBy } : {}),
                ...(r.groupWait ? { group_wait: r.groupWait } : {}),
                ...(r.groupInterval ? { group_interval: r.groupInterval } : {}),
                ...(r.repeatInterval ? { repeat_interval: r.repeatInterval } : {}),
                ...(r.activeTimeIntervals ? { active_time_intervals: r.activeTimeIntervals } : {}),
                ...(r.muteTimeIntervals ? { mute_time_intervals: r.muteTimeIntervals } : {}),
            })),
        },
        inhibit_rules: spec.inhibit.map((i) => ({ source_matchers: i.source, target_matchers: i.target, equal: i.equal })),
        receivers: Object.entries(spec.receivers).map(([name, kind]) => receiver(name, kind, secrets, context)),
        time_intervals: Object.entries(spec.timeIntervals).map(([name, time_intervals]) => ({ name, time_intervals })),
    };
}
