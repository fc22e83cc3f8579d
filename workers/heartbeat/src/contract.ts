/** What the program (components/edge/heartbeatWorker.ts, the Alertmanager route) and the heartbeat Worker share. */

/** Where Alertmanager posts the Watchdog. */
export const HEARTBEAT_PATH = "/beat";
/** Alertmanager sends the Watchdog this often (its route's repeat interval, alertRouting.ts). */
export const HEARTBEAT_INTERVAL_SECONDS = 60;
/** The switch pages after this many are missed: the decision matrix's degraded service, paged after 2-3 failures. */
export const MISSED_HEARTBEATS_TO_PAGE = 3;

/** The cron that arms a switch which has never heard a heartbeat (after a first deploy): within 5 minutes. */
export const HEARTBEAT_ARM_CRON = "*/5 * * * *";

/** The Worker's vars and secrets. */
export const HEARTBEAT_VARS = [
    "ENVIRONMENT",
    "HEARTBEAT_WINDOW_SECONDS",
    "PAGERDUTY_EVENTS_URL",
    "PRIORITY",
    "RUNBOOK_URL",
    "HEARTBEAT_TOKEN",
    "PAGERDUTY_ROUTING_KEY",
] as const;
export type HeartbeatVar = (typeof HEARTBEAT_VARS)[number];
export const HEARTBEAT_SECRETS = ["HEARTBEAT_TOKEN", "PAGERDUTY_ROUTING_KEY"] as const satisfies readonly HeartbeatVar[];
export type HeartbeatSecret = (typeof HEARTBEAT_SECRETS)[number];

/** What the switch's page is called, as an alert: its runbook is docs/runbooks/monitoring-heartbeat-missing.md. */
export const HEARTBEAT_ALERT = "MonitoringHeartbeatMissing";

/** PagerDuty's Events API v2. */
export const PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";

export function heartbeatDedupKey(environment: string): string {
    return `ops-platform-${environment}-monitoring-heartbeat`;
}
