/**
 * SLO rules from small specs, sloth-style: error-ratio recording rules per window and
 * multi-window, multi-burn-rate alerts (SRE workbook), so a new SLO is a few lines of config.
 */
import type { SloSpec } from "../../config/schema";
import { sloDashboardUid } from "./dashboardUids";
import { TEAM_ROLES, alertLabels, pascal, type AlertGroup, type Scenario } from "./ruleTypes";
import { errorRatio, serviceSignals, type SignalContext } from "./signals";

export interface BurnRateTier {
    /** Alert name suffix: the long window, which does not depend on the SLO's window. */
    name: string;
    /** What the burn means (ruleTypes.ts SCENARIOS): its severity and priority. */
    scenario: Scenario;
    long: string;
    short: string;
    /** The share of the window's error budget that, spent within `long`, fires the alert. */
    budgetShare: number;
    for: string;
}

/**
 * The SRE workbook's multi-window tiers, by the budget they spend: 2% in 1h pages (P2), 5% in 6h
 * and 10% in 1d warn (P3 tickets), 10% in 3d goes to the digest (P4). For a 30-day SLO their burn
 * rates are 14.4x, 6x, 3x and 1x.
 */
export const BURN_RATE_TIERS: readonly BurnRateTier[] = [
    { name: "BudgetBurn1h", scenario: "degraded", long: "1h", short: "5m", budgetShare: 0.02, for: "5m" },
    { name: "BudgetBurn6h", scenario: "sustained", long: "6h", short: "30m", budgetShare: 0.05, for: "30m" },
    { name: "BudgetBurn1d", scenario: "sustained", long: "1d", short: "2h", budgetShare: 0.1, for: "1h" },
    { name: "BudgetBurn3d", scenario: "trend", long: "3d", short: "6h", budgetShare: 0.1, for: "3h" },
];

const HOURS: Record<string, number> = { m: 1 / 60, h: 1, d: 24 };
const hoursOf = (duration: string) => Number(duration.slice(0, -1)) * HOURS[duration.slice(-1)]!;

/** A tier's burn rate for an SLO window of `windowDays`: its budget share spent within its long window. */
export function burnRateFactor(tier: BurnRateTier, windowDays: number): number {
    return Number(((tier.budgetShare * windowDays * 24) / hoursOf(tier.long)).toFixed(4));
}

/**
 * The shortest SLO window every tier supports: below it a tier would fire at a burn rate under 1,
 * which never spends the budget (for the 3-day tier, 30 days).
 */
export const MIN_SLO_WINDOW_DAYS = Math.max(...BURN_RATE_TIERS.map((t) => Math.ceil(hoursOf(t.long) / (t.budgetShare * 24))));

function windows(): string[] {
    return [...new Set(BURN_RATE_TIERS.flatMap((w) => [w.short, w.long]))];
}

/** 1 - 99.9/100 without float noise: 0.001. */
export function errorBudget(objectivePercent: number): number {
    return Number((1 - objectivePercent / 100).toFixed(10));
}

function matchersOf(spec: SloSpec): string {
    // The matchers go inside braces the signals write, so braces given in config are dropped.
    return spec.selector
        .trim()
        .replace(/^\{|\}$/g, "")
        .trim();
}

/** The SLI is the service's error ratio over its real request metrics (signals.ts), narrowed by the spec's selector. */
export function sloRules(spec: SloSpec, windowDays: number, ctx: SignalContext): AlertGroup[] {
    const matchers = matchersOf(spec);
    const signals = serviceSignals(spec.service, ctx);
    const labels = { slo: spec.name, service: spec.service };
    const budget = errorBudget(spec.objective);
    const ratio = (w: string) => `slo:sli_error:ratio_rate${w}`;
    const at = `{slo="${spec.name}"}`;
    return [
        {
            name: `slo-${spec.name}-recordings`,
            service: spec.service,
            rules: [
                ...windows().map((w) => ({
                    record: ratio(w),
                    expr: errorRatio(signals, w, matchers),
                    labels,
                })),
                { record: "slo:objective:ratio", expr: `vector(${spec.objective / 100})`, labels },
                { record: `slo:sli_error:ratio_rate${windowDays}d`, expr: `avg_over_time(${ratio("5m")}${at}[${windowDays}d])`, labels },
                {
                    record: "slo:error_budget:remaining_ratio",
                    expr: `1 - (slo:sli_error:ratio_rate${windowDays}d${at} / ${budget})`,
                    labels,
                },
                { record: "slo:burn_rate:1h", expr: `${ratio("1h")}${at} / ${budget}`, labels },
            ],
        },
        {
            name: `slo-${spec.name}-alerts`,
            service: spec.service,
            dashboard: sloDashboardUid(spec.name),
            rules: BURN_RATE_TIERS.map((w) => ({
                alert: `${pascal(spec.name)}${w.name}`,
                expr: `${ratio(w.long)}${at} > (${burnRateFactor(w, windowDays)} * ${budget})\nand\n${ratio(w.short)}${at} > (${burnRateFactor(w, windowDays)} * ${budget})`,
                for: w.for,
                labels: alertLabels(w.scenario, TEAM_ROLES.service, { slo: spec.name, service: spec.service, long_window: w.long }),
                annotations: {
                    summary: `${spec.name}: error budget burning at over ${burnRateFactor(w, windowDays)}x`,
                    description: `Errors over the last ${w.long} and ${w.short} burn the ${windowDays}-day budget of ${spec.objective}% at over ${burnRateFactor(w, windowDays)}x: ${w.budgetShare * 100}% of it within ${w.long}.`,
                },
            })),
        },
    ];
}
