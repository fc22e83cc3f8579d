/**
 * SLO rules from small specs, sloth-style: error-ratio recording rules per window and
 * multi-window, multi-burn-rate alerts (SRE workbook), so a new SLO is a few lines of config.
 */
import type { SloSpec } from "../../config/schema";
import { TEAM_ROLES, pascal, type RuleGroup } from "./ruleTypes";
import { errorRatio, serviceSignals, type SignalContext } from "./signals";

export interface BurnRateWindow {
    /** Alert name suffix. */
    name: string;
    severity: "critical" | "warning";
    long: string;
    short: string;
    factor: number;
    for: string;
}

/** For a 30-day SLO: 14.4x pages (2% of budget in 1h), 6x tickets, and the slower workbook windows. */
export const BURN_RATE_WINDOWS: readonly BurnRateWindow[] = [
    { name: "BurnRate14x", severity: "critical", long: "1h", short: "5m", factor: 14.4, for: "5m" },
    { name: "BurnRate6x", severity: "warning", long: "6h", short: "30m", factor: 6, for: "30m" },
    { name: "BurnRate3x", severity: "warning", long: "1d", short: "2h", factor: 3, for: "1h" },
    { name: "BurnRate1x", severity: "warning", long: "3d", short: "6h", factor: 1, for: "3h" },
];

function windows(): string[] {
    return [...new Set(BURN_RATE_WINDOWS.flatMap((w) => [w.short, w.long]))];
}

/** 1 - 99.9/100 without float noise: 0.001. */
export function errorBudget(objectivePercent: number): number {
    return Number((1 - objectivePercent / 100).toFixed(10));
}

function matchersOf(spec: SloSpec): string {
    // The matchers go inside braces the signals write, so braces given in config are dropped.
    return spec.selector.trim().replace(/^\{|\}$/g, "").trim();
}

/** The SLI is the service's error ratio over its real request metrics (signals.ts), narrowed by the spec's selector. */
export function sloRules(spec: SloSpec, windowDays: number, ctx: SignalContext): RuleGroup[] {
    const matchers = matchersOf(spec);
    const signals = serviceSignals(spec.service, ctx);
    const labels = { slo: spec.name, service: spec.service };
    const budget = errorBudget(spec.objective);
    const ratio = (w: string) => `slo:sli_error:ratio_rate${w}`;
    const at = `{slo="${spec.name}"}`;
    return [
        {
            name: `slo-${spec.name}-recordings`,
            rules: [
                ...windows().map((w) => ({
                    record: ratio(w),
                    expr: errorRatio(signals, w, matchers),
                    labels,
                })),
                { record: "slo:objective:ratio", expr: `vector(${spec.objective / 100})`, labels },
                { record: `slo:sli_error:ratio_rate${windowDays}d`, expr: `avg_over_time(${ratio("5m")}${at}[${windowDays}d])`, labels },
                { record: "slo:error_budget:remaining_ratio", expr: `1 - (slo:sli_error:ratio_rate${windowDays}d${at} / ${budget})`, labels },
                { record: "slo:burn_rate:1h", expr: `${ratio("1h")}${at} / ${budget}`, labels },
            ],
        },
        {
            name: `slo-${spec.name}-alerts`,
            rules: BURN_RATE_WINDOWS.map((w) => ({
                alert: `${pascal(spec.name)}${w.name}`,
                expr: `${ratio(w.long)}${at} > (${w.factor} * ${budget})\nand\n${ratio(w.short)}${at} > (${w.factor} * ${budget})`,
                for: w.for,
                labels: { severity: w.severity, team: TEAM_ROLES.service, slo: spec.name, service: spec.service, long_window: w.long },
                annotations: {
                    summary: `${spec.name}: error budget burning at over ${w.factor}x`,
                    description: `Errors over the last ${w.long} and ${w.short} burn the ${windowDays}-day budget of ${spec.objective}% at over ${w.factor}x.`,
                },
            })),
        },
    ];
}
