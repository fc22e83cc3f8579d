import * as aws from "../aws";
import * as pulumi from "@pulumi/pulumi";
import type { CostConfig } from "../../config/schema";
import { ENVIRONMENT_TAG, type REQUIRED_TAG_KEYS } from "../../config/tagging";

/** The tags cost is broken down by: environment, service, owner, cost centre. */
export const COST_ALLOCATION_TAGS = ["Environment", "Service", "Owner", "CostCenter"] as const satisfies ReadonlyArray<
    (typeof REQUIRED_TAG_KEYS)[number]
>;

export interface CostGuardrailsArgs {
    /** `<service>-<environment>`: names the budget and the monitor. Required. */
    namePrefix: string;
    environment: string;
    /** The `ops-platform:cost` section. Required. */
    settings: CostConfig;
    /** Who hears of a budget threshold or an anomaly (`alerting.emails`). Required. */
    emails: string[];
}

/** The source documents' budget alerts: warning at 80%, critical at 100%, and on a forecast to exceed. */
export const BUDGET_ALERTS = [
    { notificationType: "ACTUAL", threshold: 80 },
    { notificationType: "ACTUAL", threshold: 100 },
    { notificationType: "FORECASTED", threshold: 100 },
] as const;

/**
 * The environment's cost guardrails in its account: a monthly AWS Budget filtered on the
 * Environment cost allocation tag, a Cost Anomaly Detection monitor on the same tag with a daily
 * email subscription, and (where this stack owns the account setting) the required tags
 * activated for cost allocation. Budgets and Cost Explorer are global; resources inherit the
 * AWS provider of `opts`.
 */
export class CostGuardrails extends pulumi.ComponentResource {
    constructor(name: string, args: CostGuardrailsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:cost:CostGuardrails", name, {}, opts);
        const { settings, environment, emails } = args;
        const child = { parent: this };
        const tags = settings.activateAllocationTags
            ? COST_ALLOCATION_TAGS.map(
                  (tagKey) => new aws.costexplorer.CostAllocationTag(`${name}-${tagKey}`, { tagKey, status: "Active" }, child),
              )
            : [];
        new aws.budgets.Budget(
            name,
            {
                name: `${args.namePrefix}-monthly`,
                budgetType: "COST",
                limitAmount: settings.budgetMonthlyUsd.toFixed(2),
                limitUnit: "USD",
                timeUnit: "MONTHLY",
                // A user-defined cost allocation tag filters as user:<key>$<value>.
                costFilters: [{ name: "TagKeyValue", values: [`user:${ENVIRONMENT_TAG}$${environment}`] }],
                notifications: BUDGET_ALERTS.map((alert) => ({
                    comparisonOperator: "GREATER_THAN",
                    threshold: alert.threshold,
                    thresholdType: "PERCENTAGE",
                    notificationType: alert.notificationType,
                    subscriberEmailAddresses: emails,
                })),
            },
            { ...child, dependsOn: tags },
        );
        const monitor = new aws.costexplorer.AnomalyMonitor(
            name,
            {
                name: `${args.namePrefix}-spend`,
                // A tag-scoped custom monitor: an account holds one SERVICE monitor at most, and stacks share accounts.
                monitorType: "CUSTOM",
                monitorSpecification: JSON.stringify({ Tags: { Key: ENVIRONMENT_TAG, Values: [environment], MatchOptions: ["EQUALS"] } }),
            },
            { ...child, dependsOn: tags },
        );
        new aws.costexplorer.AnomalySubscription(
            name,
            {
                name: `${args.namePrefix}-spend`,
                // Email subscribers get DAILY or WEEKLY digests; IMMEDIATE needs SNS.
                frequency: "DAILY",
                monitorArnLists: [monitor.arn],
                subscribers: emails.map((address) => ({ type: "EMAIL", address })),
                thresholdExpression: {
                    dimension: {
                        key: "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
                        matchOptions: ["GREATER_THAN_OR_EQUAL"],
                        values: [String(settings.anomalyImpactUsd)],
                    },
                },
            },
            child,
        );
        this.registerOutputs({});
    }
}
