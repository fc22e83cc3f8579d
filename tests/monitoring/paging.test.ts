/**
 * One paging path per symptom, in each stack's plan: Alertmanager pages, and only for P1 and P2;
 * the CloudWatch alarms, AWS Backup's and the patch waves' events and Cloudflare's notifications
 * reach people by email and Slack, never by a pager (README "Paging").
 */
import { platformRuleGroups } from "../../components/monitoring/content";
import { PAGING_PRIORITIES, SCENARIOS, isAlert } from "../../components/monitoring/ruleTypes";
import { STACKS, ofType, planOf } from "../helpers/plan";

describe.each(STACKS)("%s", (stack) => {
    it("publishes alarms and AWS events to email only, and Cloudflare's notifications to Slack only", async () => {
        const { resources } = await planOf(stack);
        const subscriptions = ofType(resources, "aws:sns/topicSubscription:TopicSubscription");
        expect(ofType(resources, "aws:sns/topic:Topic").length).toBeGreaterThan(0);
        expect(subscriptions.filter((s) => s.inputs["protocol"] !== "email").map((s) => s.name)).toEqual([]);
        for (const policy of ofType(resources, "cloudflare:index/notificationPolicy:NotificationPolicy"))
            expect(Object.keys(policy.inputs["mechanisms"] as object)).toEqual(["webhooks"]);
    });

    it("pages only for P1 and P2: every such alert is critical and every other is not", async () => {
        const { config } = await planOf(stack);
        const ctx = { fleetPrefix: "x-", gatewayScript: "x" };
        const alerts = platformRuleGroups(config.monitoring, ctx, config.fleet.alarms).flatMap((g) => g.rules.filter(isAlert));
        const priorities = new Set(Object.values(SCENARIOS).map((s) => s.priority));
        for (const { alert, labels } of alerts) {
            expect([alert, priorities.has(labels["priority"] as never)]).toEqual([alert, true]);
            expect([alert, labels["severity"] === "critical"]).toEqual([alert, PAGING_PRIORITIES.includes(labels["priority"] as never)]);
        }
    });
});
