import * as pagerduty from "../pagerduty";
import * as pulumi from "@pulumi/pulumi";
import { PAGING_PRIORITIES, type PagingPriority } from "../monitoring/ruleTypes";
import { ROTATION_TURN_SECONDS, escalationRules, rotations, type EscalationTarget, type ManagedOnCall } from "./escalation";

export interface OnCallArgs {
    /** `<service>-<environment>`: names the services, policies and schedules. Required. */
    namePrefix: string;
    /** The rotation and the people escalated to (onCall in the stack file, checked complete). Required. */
    settings: ManagedOnCall;
}

/**
 * The environment's on-call in PagerDuty (escalation.ts): a primary and a secondary weekly
 * schedule over one rotation, an escalation policy and a service per paging priority (only P1
 * reaches the VP), and on each service the Events API v2 integration Alertmanager and the dead
 * man's switch page through. Resources inherit the PagerDuty provider of `opts`.
 */
export class OnCall extends pulumi.ComponentResource {
    /** Events API v2 routing key per paging priority (secret). */
    readonly routingKeys: Record<PagingPriority, pulumi.Output<string>>;

    constructor(name: string, args: OnCallArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:oncall:OnCall", name, {}, opts);
        const { settings, namePrefix } = args;
        const { primary, secondary } = rotations(settings.engineers);
        const schedule = (role: "primary" | "secondary", users: string[]) =>
            new pagerduty.Schedule(
                `${name}-${role}`,
                {
                    name: `${namePrefix} ${role}`,
                    timeZone: settings.timeZone,
                    layers: [
                        {
                            name: "weekly, Monday to Monday",
                            start: settings.rotationStart,
                            rotationVirtualStart: settings.rotationStart,
                            rotationTurnLengthSeconds: ROTATION_TURN_SECONDS,
                            users,
                        },
                    ],
                },
                { parent: this },
            );
        const schedules = { primary: schedule("primary", primary), secondary: schedule("secondary", secondary) };
        const target = (who: EscalationTarget): pagerduty.types.input.EscalationPolicyRuleTarget =>
            who === "primary" || who === "secondary"
                ? { type: "schedule_reference", id: schedules[who].id }
                : { type: "user_reference", id: settings[who] };

        const keys = PAGING_PRIORITIES.map((priority) => {
            const policy = new pagerduty.EscalationPolicy(
                `${name}-${priority.toLowerCase()}`,
                {
                    name: `${namePrefix} ${priority}`,
                    numLoops: 0,
                    rules: escalationRules(priority).map((rule) => ({
                        escalationDelayInMinutes: rule.delayMinutes,
                        targets: [target(rule.target)],
                    })),
                },
                { parent: this },
            );
            const service = new pagerduty.Service(
                `${name}-${priority.toLowerCase()}`,
                {
                    name: `${namePrefix} ${priority}`,
                    description: `${priority} pages of ${namePrefix}, from Alertmanager and the monitoring heartbeat (ops-platform)`,
                    escalationPolicy: policy.id,
                    // Events API v2 integrations need alerts: Alertmanager's grouped alerts join one incident per group.
                    alertCreation: "create_alerts_and_incidents",
                    // P1 and P2 are covered 24/7: every page is high urgency.
                    incidentUrgencyRule: { type: "constant", urgency: "high" },
                },
                { parent: this },
            );
            const integration = new pagerduty.ServiceIntegration(
                `${name}-${priority.toLowerCase()}`,
                { name: "Alertmanager (Events API v2)", service: service.id, type: "events_api_v2_inbound_integration" },
                // The SDK does not mark the key secret; a routing key pages whoever holds it.
                { parent: this, additionalSecretOutputs: ["integrationKey"] },
            );
            return [priority, pulumi.secret(integration.integrationKey)] as const;
        });
        this.routingKeys = Object.fromEntries(keys) as Record<PagingPriority, pulumi.Output<string>>;
        this.registerOutputs({});
    }
}
