/**
 * Cloudflare's notification types the edge declares, and the plan each needs: a policy the
 * account is not entitled to is refused when it is created (error 17200, "account is not
 * entitled to create policies for the alert type"). Cloudflare's notification catalogue
 * (developers.cloudflare.com/notifications/notification-available/) lists the http_alert_*
 * error-rate alerts for Enterprise plans and the load-balancing health alert for accounts that
 * bought Load Balancing, which this stack declares.
 */
export const CLOUDFLARE_PLANS = ["free", "pro", "business", "enterprise"] as const;
export type CloudflarePlan = (typeof CLOUDFLARE_PLANS)[number];

export const NOTIFICATION_TYPES = {
    /** A pool turning unhealthy or healthy. */
    loadBalancerHealth: { alertType: "load_balancing_health_alert", minimumPlan: "free" },
    /** The zone's 5xx rate against an SLO. Worker errors are also the monitoring stack's (GatewayWorkerErrors), on every plan. */
    edgeErrorRate: { alertType: "http_alert_edge_error", minimumPlan: "enterprise" },
} as const satisfies Record<string, { alertType: string; minimumPlan: CloudflarePlan }>;
export type NotificationType = keyof typeof NOTIFICATION_TYPES;
