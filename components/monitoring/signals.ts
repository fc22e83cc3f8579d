/**
 * Each monitored service's golden signals as PromQL over the metrics its exporters really
 * produce (metrics.ts): the gateway (the Worker, from its Analytics Engine data and
 * Cloudflare's analytics) and web (the ALBs and the fleet, from CloudWatch).
 *
 * Request and error series are counts over a recent window (the last 5 minutes of Analytics
 * Engine rows, a CloudWatch period's Sum), not counters: a ratio over any window is the ratio
 * of their sum_over_time, which the overlap of consecutive windows scales alike above and below.
 */
import type { MonitoredService } from "../../config/schema";

/** What the signals need of the stack: names its resources carry. */
export interface SignalContext {
    /** `<service>-<environment>-`: the prefix of this stack's autoscaling groups (CloudWatch agent metrics carry no tags). */
    fleetPrefix: string;
    /** The gateway Worker's script name. */
    gatewayScript: string;
}

export interface ServiceSignals {
    /** Requests over window `w` (PromQL range), with extra matchers. */
    requests(w: string, matchers?: string): string;
    /** Requests per second, now. */
    traffic: string;
    /** Failed requests (5xx) over window `w`; 0 when none were reported. */
    errors(w: string, matchers?: string): string;
    /** Latency percentiles in seconds. */
    latency: Record<"p50" | "p95" | "p99", string | undefined>;
    /** Saturation panels: title, expression, Grafana unit. */
    saturation: Array<[title: string, expr: string, unit: string]>;
    /** The service's own panels beyond the golden signals: title, Grafana unit, queries with their legends. */
    panels: Array<[title: string, unit: string, queries: Array<[expr: string, legend: string]>]>;
}

const join = (...matchers: Array<string | undefined>) => {
    const inner = matchers.filter((m) => m && m.trim() !== "").join(",");
    return inner ? `{${inner}}` : "";
};
export const windowSum = (metric: string, w: string) => `sum(sum_over_time(${metric}[${w}]))`;
/** A sum that is 0, not absent, when its metric has no series (ALB 5xx counts appear only once non-zero). */
export const orZero = (expr: string) => `(${expr} or vector(0))`;

export function fleetSelector(ctx: SignalContext, extra?: string): string {
    return join(`dimension_AutoScalingGroupName=~"${ctx.fleetPrefix}.+"`, extra);
}

export function serviceSignals(service: MonitoredService, ctx: SignalContext): ServiceSignals {
    if (service === "gateway") {
        return {
            requests: (w, m) => windowSum(`gateway_requests_5m${join(m)}`, w),
            traffic: "sum(gateway_requests_5m) / 300",
            errors: (w, m) => orZero(windowSum(`gateway_requests_5m${join('status_class="5xx"', m)}`, w)),
            latency: {
                p50: "max(gateway_request_duration_p50_ms) / 1000",
                p95: "max(gateway_request_duration_p95_ms) / 1000",
                p99: "max(gateway_request_duration_p99_ms) / 1000",
            },
            saturation: [
                [
                    "Worker CPU time p99 (ms)",
                    `max(cloudflare_worker_cpu_time${join(`script_name="${ctx.gatewayScript}"`, 'quantile="P99"')}) / 1000`,
                    "ms",
                ],
                [
                    "Provider calls skipped: circuit open or slots full",
                    'sum by (provider, outcome) (gateway_upstream_attempts_5m{outcome=~"circuit_open|busy"})',
                    "none",
                ],
            ],
            panels: [
                [
                    "Cache hit rate (cacheable requests)",
                    "percentunit",
                    [['sum(gateway_requests_5m{cache=~"HIT|SHARED"}) / sum(gateway_requests_5m{cache=~"HIT|SHARED|MISS"})', "hit rate"]],
                ],
                [
                    "Provider calls by outcome (failovers, circuits)",
                    "none",
                    [["sum by (provider, outcome) (gateway_upstream_attempts_5m)", "{{provider}} {{outcome}}"]],
                ],
                ["Provider answer time p95", "ms", [["max by (provider) (gateway_upstream_latency_p95_ms)", "{{provider}}"]]],
                [
                    "Gateway's own time (provider wait excluded)",
                    "ms",
                    [
                        ["max(gateway_overhead_duration_p50_ms)", "p50"],
                        ["max(gateway_overhead_duration_p95_ms)", "p95"],
                        ["max(gateway_overhead_duration_p99_ms)", "p99"],
                    ],
                ],
                ["/health from outside (blackbox probe)", "s", [["max by (instance) (probe_duration_seconds)", "{{instance}}"]]],
            ],
        };
    }
    return {
        requests: (w, m) => windowSum(`aws_applicationelb_request_count_sum${join(m)}`, w),
        // Sums over YACE's 60-second period (cloudwatchExporter.ts).
        traffic: "sum(aws_applicationelb_request_count_sum) / 60",
        errors: (w, m) =>
            `(${orZero(windowSum(`aws_applicationelb_httpcode_target_5_xx_count_sum${join(m)}`, w))} + ${orZero(windowSum(`aws_applicationelb_httpcode_elb_5_xx_count_sum${join(m)}`, w))})`,
        latency: {
            p50: undefined,
            p95: "max(aws_applicationelb_target_response_time_p95)",
            p99: "max(aws_applicationelb_target_response_time_p99)",
        },
        saturation: [
            ["CPU busy (%)", "max by (dimension_InstanceId) (aws_ec2_cpuutilization_average)", "percent"],
            ["Memory used (%)", `max by (dimension_InstanceId) (aws_cwagent_mem_used_percent_average${fleetSelector(ctx)})`, "percent"],
            [
                "Disk / used (%)",
                `max by (dimension_InstanceId) (aws_cwagent_disk_used_percent_average${fleetSelector(ctx, 'dimension_path="/"')})`,
                "percent",
            ],
        ],
        panels: [],
    };
}

/** Errors over requests in window `w`. */
export function errorRatio(signals: ServiceSignals, w: string, matchers?: string): string {
    return `${signals.errors(w, matchers)}\n/\n${signals.requests(w, matchers)}`;
}
