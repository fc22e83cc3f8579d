import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

export interface EdgeNotificationsArgs {
    accountId: string;
    zoneId: string;
    /** Prefix of webhook and policy names (`<service>-<environment>`). Required. */
    namePrefix: string;
    /** Load balancer pools whose health changes are reported. Required. */
    poolIds: pulumi.Input<string>[];
    /** Webhook URLs (secrets). Optional; without any, nothing is declared. */
    slackWebhookUrl?: pulumi.Input<string>;
    pagerdutyWebhookUrl?: pulumi.Input<string>;
}

/** Cloudflare notifications of pool health and edge errors to Slack and PagerDuty webhooks. */
export class EdgeNotifications extends pulumi.ComponentResource {
    constructor(name: string, args: EdgeNotificationsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:edge:EdgeNotifications", name, {}, opts);
        const { accountId, namePrefix } = args;
        const hooks = [
            ["slack", args.slackWebhookUrl],
            ["pagerduty", args.pagerdutyWebhookUrl],
        ]
            .filter((h): h is [string, pulumi.Input<string>] => h[1] !== undefined)
            .map(([kind, url]) => new cloudflare.NotificationPolicyWebhooks(`${name}-${kind}`, { accountId, name: `${namePrefix}-${kind}`, url: pulumi.secret(url) }, { parent: this }));
        if (hooks.length > 0) {
            const mechanisms = { webhooks: hooks.map((h) => ({ id: h.id })) };
            new cloudflare.NotificationPolicy(
                `${name}-lb-health`,
                { accountId, name: `${namePrefix} load balancer health`, alertType: "load_balancing_health_alert", enabled: true, filters: { poolIds: args.poolIds, newHealths: ["Unhealthy", "Healthy"] }, mechanisms },
                { parent: this },
            );
            new cloudflare.NotificationPolicy(
                `${name}-edge-errors`,
                { accountId, name: `${namePrefix} edge and Worker errors`, alertType: "http_alert_edge_error", enabled: true, filters: { zones: [args.zoneId], slos: ["99.9"] }, mechanisms },
                { parent: this },
            );
        }
        this.registerOutputs({});
    }
}
