/** Prometheus rule files as data (the shape `promtool check rules` and PrometheusRule take). */
import type { MonitoredService } from "../../config/schema";
import { runbookSlug, runbookUrl } from "../../config/repository";

export interface AlertRule {
    alert: string;
    expr: string;
    for?: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
}

export interface RecordingRule {
    record: string;
    expr: string;
    labels?: Record<string, string>;
}

export interface RuleGroup {
    name: string;
    rules: Array<AlertRule | RecordingRule>;
}

/** A rule group as the content functions make it: what it is about, before content.ts links and gates it. */
export interface AlertGroup extends RuleGroup {
    /** The service whose alerts these are: emitted only while `monitoring.services` has it. None: always. */
    service?: MonitoredService;
    /** The uid of the dashboard every alert of the group links to. None: no dashboard link. */
    dashboard?: string;
}

/**
 * The source documents' alert decision matrix (it-operations SKILL.md) with the priorities of
 * incident-management.md: P1 answered at once, P2 within 30 minutes, P3 within 4 hours, P4 the
 * next business day. Each alert names its scenario; its severity and priority follow, and
 * routing pages on PAGING_PRIORITIES only (alertRouting.ts).
 */
export const SCENARIOS = {
    /** Service completely down: page at once. */
    down: { severity: "critical", priority: "P1" },
    /** Service degraded: page after 2-3 failures (the rule's `for`). */
    degraded: { severity: "critical", priority: "P2" },
    /** High resource usage, above 80% sustained, or a symptom the service works around: a warning, a ticket. */
    sustained: { severity: "warning", priority: "P3" },
    /** Approaching capacity (a 70% trend), or slow drift: information, in the daily digest. */
    trend: { severity: "info", priority: "P4" },
} as const;
export type Scenario = keyof typeof SCENARIOS;
export type Priority = (typeof SCENARIOS)[Scenario]["priority"];
export const PAGING_PRIORITIES = ["P1", "P2"] as const satisfies readonly Priority[];
export type PagingPriority = (typeof PAGING_PRIORITIES)[number];

/** An alert's labels: its scenario's severity and priority, the owning team's role, and more. */
export function alertLabels(scenario: Scenario, team: TeamRole, extra: Record<string, string> = {}): Record<string, string> {
    return { ...SCENARIOS[scenario], team, ...extra };
}

export function isAlert(rule: AlertRule | RecordingRule): rule is AlertRule {
    return "alert" in rule;
}

/**
 * Rules name the role of the team that owns an alert; withTeams puts the configured team's
 * name in its place (monitoring.teams), which routing matches on.
 */
export const TEAM_ROLES = { service: "service", infrastructure: "infrastructure" } as const;
export type TeamRole = keyof typeof TEAM_ROLES;

export function withTeams(groups: RuleGroup[], teams: Record<TeamRole, string>): RuleGroup[] {
    return groups.map((group) => ({
        ...group,
        rules: group.rules.map((rule) =>
            isAlert(rule) && rule.labels["team"] && rule.labels["team"] in teams
                ? { ...rule, labels: { ...rule.labels, team: teams[rule.labels["team"] as TeamRole] } }
                : rule,
        ),
    }));
}

/** Every alert gets its runbook link, and its group's dashboard link, here, so no rule repeats them; the result is plain rule files. */
export function withLinks(groups: AlertGroup[], links: { runbookBaseUrl: string; grafanaBaseUrl: string }): RuleGroup[] {
    return groups.map(({ name, rules, dashboard }) => ({
        name,
        rules: rules.map((rule) =>
            isAlert(rule)
                ? {
                      ...rule,
                      annotations: {
                          ...rule.annotations,
                          runbook: runbookUrl(links.runbookBaseUrl, runbookSlug(rule.alert)),
                          ...(dashboard ? { dashboard: `${links.grafanaBaseUrl}/d/${dashboard}` } : {}),
                      },
                  }
                : rule,
        ),
    }));
}

export function pascal(name: string): string {
    return name
        .split(/[^A-Za-z0-9]+/)
        .filter(Boolean)
        .map((w) => w[0]!.toUpperCase() + w.slice(1))
        .join("");
}
