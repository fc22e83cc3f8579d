import * as cloudflare from "../cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { NOTIFICATION_TYPES, type NotificationType } from "./notificationTypes";

export interface EdgeNotificationsArgs {
    accountId: string;
    zoneId: string;
    /** Prefix of webhook and policy names (`<service>-<environment>`). Required. */
    namePrefix: string;
    /** Load balancer pools whose health changes are reported. Required. */
    poolIds: pulumi.Input<string>[];
    /** Slack incoming-webhook URL (secret). Optional. */
    slackWebhookUrl?: pulumi.Input<string>;
    /** Which notifications to declare; each needs its plan (NOTIFICATION_TYPES). Optional. Defaults to the load-balancer health alert only. */
    notifications?: Partial<Record<NotificationType, boolean>>;
}

/**
 * Cloudflare notifications of pool health and (on Enterprise) the zone's error rate, to a Slack
 * webhook. They never page: Alertmanager pages for the symptoms they describe (README "Paging").
 */
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
        if (slack) {
            const mechanisms = { webhooks: [{ id: slack.id }] };
            const wanted = { loadBalancerHealth: true, edgeErrorRate: false, ...args.notifications };
            if (wanted.loadBalancerHealth)
                new cloudflare.NotificationPolicy(
                    `${name}-lb-health`,
                    {
                        accountId,
                        name: `${namePrefix} load balancer health`,
                        alertType: NOTIFICATION_TYPES.loadBalancerHealth.alertType,
                        enabled: true,
                        filters: { poolIds: args.poolIds, newHealths: ["Unhealthy", "Healthy"] },
                        mechanisms,
                    },
                    { parent: this },
                );
            if (wanted.edgeErrorRate)
                new cloudflare.NotificationPolicy(
                    `${name}-edge-errors`,
                    {
                        accountId,
                        name: `${namePrefix} edge and Worker errors`,
                        alertType: NOTIFICATION_TYPES.edgeErrorRate.alertType,
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
