import * as cloudflare from "../cloudflare";
import * as pulumi from "@pulumi/pulumi";

export interface EdgeNotificationsArgs {
    accountId: string;
    zoneId: string;
    /** Prefix of webhook and policy names (`<service>-<environment>`). Required. */
    namePrefix: string;
    /** Load balancer pools whose health changes are reported. Required. */
    poolIds: pulumi.Input<string>[];
    /** Slack incoming-webhook URL (secret). Optional. */
    slackWebhookUrl?: pulumi.Input<string>;
    /**
     * Id of a PagerDuty service connected to the Cloudflare account (Notifications >
     * Destinations): Cloudflare pages through its own PagerDuty integration, as a webhook's
     * payload is not what PagerDuty's endpoints read. Optional.
     */
    pagerdutyIntegrationId?: string;
}

/** Cloudflare notifications of pool health and edge errors to a Slack webhook and a connected PagerDuty service. */
export class EdgeNotifications extends pulumi.ComponentResource {
    constructor(name: string, args: EdgeNotificationsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:edge:EdgeNotifications", name, {}, opts);
        const { accountId, namePrefix } = args;
        const slack = args.slackWebhookUrl
            ? new cloudflare.NotificationPolicyWebhooks(
                  `${name}-slack`,
                  { accountId, name: `${namePrefix}-slack`, url: pulumi.secret(args.slackWebhookUrl) },
                  { parent: this },
              )
            : undefined;
        if (slack || args.pagerdutyIntegrationId) {
            const mechanisms = {
                ...(slack ? { webhooks: [{ id: slack.id }] } : {}),
                ...(args.pagerdutyIntegrationId ? { pagerduties: [{ id: args.pagerdutyIntegrationId }] } : {}),
            };
            new cloudflare.NotificationPolicy(
                `${name}-lb-health`,
                {
                    accountId,
                    name: `${namePrefix} load balancer health`,
                    alertType: "load_balancing_health_alert",
                    enabled: true,
                    filters: { poolIds: args.poolIds, newHealths: ["Unhealthy", "Healthy"] },
                    mechanisms,
                },
                { parent: this },
            );
            new cloudflare.NotificationPolicy(
                `${name}-edge-errors`,
                {
                    accountId,
                    name: `${namePrefix} edge and Worker errors`,
                    alertType: "http_alert_edge_error",
                    enabled: true,
                    filters: { zones: [args.zoneId], slos: ["99.9"] },
                    mechanisms,
                },
                { parent: this },
            );
        }
        this.registerOutputs({});
    }
}
