/**
 * Grafana dashboards as code: golden signals per service, one per SLO (availability, error
 * budget, burn rate), and backup status. Pure functions; Grafana's sidecar loads them from
 * labelled ConfigMaps.
 */
import type { MonitoredService, SloSpec } from "../../config/schema";
import { BACKUP_DASHBOARD_UID, GATEWAY_USAGE_DASHBOARD_UID, goldenDashboardUid, sloDashboardUid } from "./dashboardUids";
import { errorRatio, serviceSignals, type SignalContext } from "./signals";
import { errorBudget } from "./sloRules";

interface Panel {
    type: "timeseries" | "stat" | "gauge";
    title: string;
    /** Grafana reads a panel's unit from its field config; a `unit` on the panel itself is ignored. */
    fieldConfig: { defaults: { unit: string }; overrides: never[] };
    gridPos: { x: number; y: number; w: number; h: number };
    targets: Array<{ expr: string; legendFormat: string; refId: string }>;
}

export interface Dashboard {
    uid: string;
    title: string;
    tags: string[];
    schemaVersion: number;
    time: { from: string; to: string };
    refresh: string;
    panels: Panel[];
}

type PanelSpec = [type: Panel["type"], title: string, unit: string, queries: Array<[expr: string, legend: string]>];

function dashboard(uid: string, title: string, tags: string[], specs: PanelSpec[]): Dashboard {
    return {
        uid,
        title,
        tags: ["ops-platform", ...tags],
        schemaVersion: 39,
        time: { from: "now-6h", to: "now" },
        refresh: "1m",
        panels: specs.map(([type, panelTitle, unit, queries], i) => ({
            type,
            title: panelTitle,
            fieldConfig: { defaults: { unit }, overrides: [] },
            gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 },
            targets: queries.map(([expr, legendFormat], q) => ({ expr, legendFormat, refId: String.fromCharCode(65 + q) })),
        })),
    };
}

/** Traffic, errors, latency and saturation of a service, then its own panels, over the metrics its exporters produce (signals.ts). */
export function goldenSignalsDashboard(service: MonitoredService, ctx: SignalContext): Dashboard {
    const signals = serviceSignals(service, ctx);
    const latency = (Object.entries(signals.latency) as Array<[string, string | undefined]>)
        .filter((e): e is [string, string] => e[1] !== undefined)
        .map(([q, expr]): [string, string] => [expr, q]);
    return dashboard(
        goldenDashboardUid(service),
        `${service}: golden signals`,
        ["golden-signals", service],
        [
            ["timeseries", "Traffic (requests/s)", "reqps", [[signals.traffic, "requests/s"]]],
            ["timeseries", "Errors (5xx ratio)", "percentunit", [[errorRatio(signals, "5m").replace(/\n/g, " "), "5xx ratio"]]],
            ["timeseries", "Latency", "s", latency],
            ...signals.saturation.map(([title, expr, unit]): PanelSpec => [
                "timeseries",
                `Saturation: ${title}`,
                unit,
                [[expr, "{{dimension_InstanceId}}"]],
            ]),
            ...signals.panels.map(([title, unit, queries]): PanelSpec => ["timeseries", title, unit, queries]),
        ],
    );
}

export function sloDashboard(spec: SloSpec, windowDays: number): Dashboard {
    const at = `{slo="${spec.name}"}`;
    return dashboard(
        sloDashboardUid(spec.name),
        `SLO: ${spec.name} (${spec.objective}% over ${windowDays} days)`,
        ["slo", spec.service],
        [
            ["stat", "Availability", "percentunit", [[`1 - slo:sli_error:ratio_rate${windowDays}d${at}`, "availability"]]],
            ["gauge", "Error budget remaining", "percentunit", [[`slo:error_budget:remaining_ratio${at}`, "remaining"]]],
            [
                "timeseries",
                "Burn rate (1 = spending the budget exactly)",
                "none",
                ["5m", "1h", "6h", "3d"].map((w): [string, string] => [
                    `slo:sli_error:ratio_rate${w}${at} / ${errorBudget(spec.objective)}`,
                    w,
                ]),
            ],
        ],
    );
}

export function backupDashboard(): Dashboard {
    return dashboard(
        BACKUP_DASHBOARD_UID,
        "Backup status",
        ["backup"],
        [
            [
                "timeseries",
                "Backup jobs completed",
                "none",
                [["sum by (dimension_ResourceType) (aws_backup_number_of_backup_jobs_completed_sum)", "{{dimension_ResourceType}}"]],
            ],
            [
                "timeseries",
                "Backup jobs failed",
                "none",
                [["sum by (dimension_ResourceType) (aws_backup_number_of_backup_jobs_failed_sum)", "{{dimension_ResourceType}}"]],
            ],
            ["timeseries", "Copy jobs failed (offsite)", "none", [["sum(aws_backup_number_of_copy_jobs_failed_sum)", "copies failed"]]],
            ["timeseries", "Restore jobs failed", "none", [["sum(aws_backup_number_of_restore_jobs_failed_sum)", "restores failed"]]],
        ],
    );
}

/** What the gateway's clients spent: tokens and dollars over the last 24 hours by client, by model and by provider. */
export function gatewayUsageDashboard(): Dashboard {
    return dashboard(
        GATEWAY_USAGE_DASHBOARD_UID,
        "gateway: usage and spend per client and model",
        ["gateway", "usage"],
        [
            ["timeseries", "Spend by client (24 h, USD)", "currencyUSD", [["sum by (client) (gateway_usage_cost_usd_24h)", "{{client}}"]]],
            ["timeseries", "Spend by model (24 h, USD)", "currencyUSD", [["sum by (model) (gateway_usage_cost_usd_24h)", "{{model}}"]]],
            [
                "timeseries",
                "Tokens by client (24 h)",
                "none",
                [
                    ["sum by (client) (gateway_usage_prompt_tokens_24h)", "{{client}} prompt"],
                    ["sum by (client) (gateway_usage_completion_tokens_24h)", "{{client}} completion"],
                ],
            ],
            [
                "timeseries",
                "Tokens by model (24 h)",
                "none",
                [
                    ["sum by (model) (gateway_usage_prompt_tokens_24h)", "{{model}} prompt"],
                    ["sum by (model) (gateway_usage_completion_tokens_24h)", "{{model}} completion"],
                ],
            ],
            [
                "timeseries",
                "Spend by provider (24 h, USD)",
                "currencyUSD",
                [["sum by (provider) (gateway_usage_cost_usd_24h)", "{{provider}}"]],
            ],
        ],
    );
}

/** Every PromQL expression on a dashboard, for validation by promtool. */
export function dashboardExpressions(d: Dashboard): string[] {
    return d.panels.flatMap((p) => p.targets.map((t) => t.expr));
}
