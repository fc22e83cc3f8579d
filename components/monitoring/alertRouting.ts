/**
 * Alertmanager's configuration from a typed routing spec: the source documents' tree
 * (group by alertname/cluster/service, 30s/5m/4h; criticals page and continue; the
 * infrastructure team has its own Slack; warnings to Slack; warnings inhibited while the
 * matching critical fires).
 */

export interface RoutingSecrets {
    slackWebhookUrl: string;
    slackInfraWebhookUrl: string;
    pagerdutyRoutingKey: string;
}

type ReceiverKind = "pagerduty" | "slack" | "slack-infrastructure";

interface RouteSpec {
    matchers: string[];
    receiver: string;
    continue?: boolean;
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
}

/** The seed's routing, with the infrastructure team as configured (monitoring.teams.infrastructure). */
export function seedRouting(infrastructureTeam: string): RoutingSpec {
    return {
        ...SEED_ROUTING,
        routes: SEED_ROUTING.routes.map((r) =>
            r.receiver === "slack-infrastructure" ? { ...r, matchers: [`team="${infrastructureTeam}"`] } : r,
        ),
    };
}

export const SEED_ROUTING: RoutingSpec = {
    groupBy: ["alertname", "cluster", "service"],
    groupWait: "30s",
    groupInterval: "5m",
    repeatInterval: "4h",
    defaultReceiver: "slack-warnings",
    receivers: { "pagerduty-critical": "pagerduty", "slack-warnings": "slack", "slack-infrastructure": "slack-infrastructure" },
    routes: [
        // Every critical pages, then routing continues so its team's channel hears of it too.
        { matchers: ['severity="critical"'], receiver: "pagerduty-critical", continue: true },
        { matchers: ['team="infrastructure"'], receiver: "slack-infrastructure" },
        { matchers: ['severity="warning"'], receiver: "slack-warnings" },
    ],
    inhibit: [{ source: ['severity="critical"'], target: ['severity="warning"'], equal: ["alertname", "service", "instance"] }],
};

function receiver(name: string, kind: ReceiverKind, secrets: RoutingSecrets): Record<string, unknown> {
    switch (kind) {
        case "pagerduty":
            return {
                name,
                pagerduty_configs: [
                    { routing_key: secrets.pagerdutyRoutingKey, send_resolved: true, severity: "{{ .CommonLabels.severity }}" },
                ],
            };
        case "slack":
            return {
                name,
                slack_configs: [
                    {
                        api_url: secrets.slackWebhookUrl,
                        send_resolved: true,
                        title: "{{ .CommonAnnotations.summary }}",
                        text: "{{ .CommonAnnotations.description }}\n{{ .CommonAnnotations.runbook }}",
                    },
                ],
            };
        case "slack-infrastructure":
            return {
                name,
                slack_configs: [
                    {
                        api_url: secrets.slackInfraWebhookUrl,
                        send_resolved: true,
                        title: "{{ .CommonAnnotations.summary }}",
                        text: "{{ .CommonAnnotations.description }}\n{{ .CommonAnnotations.runbook }}",
                    },
                ],
            };
    }
}

/** The alertmanager.yaml document. Contains secrets: keep the result secret. */
export function alertmanagerConfig(spec: RoutingSpec, secrets: RoutingSecrets): Record<string, unknown> {
    const unknown = [spec.defaultReceiver, ...spec.routes.map((r) => r.receiver)].filter((r) => !(r in spec.receivers));
    if (unknown.length > 0) throw new Error(`routing names receivers that do not exist: ${unknown.join(", ")}`);
    return {
        route: {
            receiver: spec.defaultReceiver,
            group_by: spec.groupBy,
            group_wait: spec.groupWait,
            group_interval: spec.groupInterval,
            repeat_interval: spec.repeatInterval,
            routes: spec.routes.map((r) => ({ receiver: r.receiver, matchers: r.matchers, ...(r.continue ? { continue: true } : {}) })),
        },
        inhibit_rules: spec.inhibit.map((i) => ({ source_matchers: i.source, target_matchers: i.target, equal: i.equal })),
        receivers: Object.entries(spec.receivers).map(([name, kind]) => receiver(name, kind, secrets)),
    };
}
