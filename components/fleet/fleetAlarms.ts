import * as aws from "../aws";
import * as pulumi from "@pulumi/pulumi";
import { type SectionInput } from "../../config/schema";
import { sectionSettings } from "../../config/sections";
import { RUNBOOKS_URL, runbookUrl } from "../../config/repository";

export interface FleetAlarmsArgs {
    /** SNS topic that receives alarm and OK notifications. Required. */
    topicArn: pulumi.Input<string>;
    /** ARN suffixes of the load balancer and its target group (CloudWatch dimensions). Required. */
    loadBalancer: { arnSuffix: pulumi.Input<string>; targetGroupArnSuffix: pulumi.Input<string> };
    /** The autoscaling group whose CPU is watched. Required. */
    asgName: pulumi.Input<string>;
    /** `ops-platform:fleet` settings: the `alarms` thresholds. Optional; defaults in config/schema.ts. */
    settings?: SectionInput<"fleet">;
    /** Where each alarm's description links its runbook. Optional; this repository's docs/runbooks. */
    runbookBaseUrl?: string;
}

/** Each alarm (by its name's suffix, `<fleet>-<suffix>`) and its runbook page: the email an alarm sends carries its description. */
export const FLEET_ALARM_RUNBOOKS = {
    "5xx-ratio": "alb-5xx-ratio-alarm",
    "unhealthy-hosts": "alb-unhealthy-hosts-alarm",
    cpu: "fleet-cpu-alarm",
} as const;

/**
 * CloudWatch alarms of one web fleet at the seed's thresholds: the ALB 5xx ratio (critical),
 * unhealthy targets (critical) and sustained CPU (warning). Resources inherit the AWS
 * provider of `opts`.
 */
export class FleetAlarms extends pulumi.ComponentResource {
    /** The alarms' names: a patch wave does not start while one of them is in ALARM. */
    readonly alarmNames: pulumi.Output<string>[];

    constructor(name: string, args: FleetAlarmsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:fleet:FleetAlarms", name, {}, opts);
        const { alarms } = sectionSettings("fleet", args.settings, name);
        const runbook = (alarm: keyof typeof FLEET_ALARM_RUNBOOKS) =>
            `runbook ${runbookUrl(args.runbookBaseUrl ?? RUNBOOKS_URL, FLEET_ALARM_RUNBOOKS[alarm])}`;
        const child = { parent: this };
        const actions = { alarmActions: [args.topicArn], okActions: [args.topicArn] };
        const lbDimension = { LoadBalancer: args.loadBalancer.arnSuffix };
        const errors = new aws.cloudwatch.MetricAlarm(
            `${name}-5xx-ratio`,
            {
                alarmDescription: `critical: ALB 5xx ratio above ${alarms.error5xxRatio} for 5 minutes; ${runbook("5xx-ratio")}`,
                comparisonOperator: "GreaterThanThreshold",
                threshold: alarms.error5xxRatio,
                evaluationPeriods: 5,
                datapointsToAlarm: 5,
                treatMissingData: "notBreaching",
                metricQueries: [
                    // RequestCount counts only requests the load balancer found a target for: when it
                    // finds none and answers 503 itself, requests is missing, the ratio's point would
                    // be dropped and the alarm stay OK (notBreaching). FILL(requests, 1) keeps it.
                    {
                        id: "ratio",
                        expression: "(FILL(target5xx, 0) + FILL(elb5xx, 0)) / FILL(requests, 1)",
                        label: "5xx ratio",
                        returnData: true,
                    },
                    {
                        id: "target5xx",
                        metric: {
                            namespace: "AWS/ApplicationELB",
                            metricName: "HTTPCode_Target_5XX_Count",
                            stat: "Sum",
                            period: 60,
                            dimensions: lbDimension,
                        },
                    },
                    {
                        id: "elb5xx",
                        metric: {
                            namespace: "AWS/ApplicationELB",
                            metricName: "HTTPCode_ELB_5XX_Count",
                            stat: "Sum",
                            period: 60,
                            dimensions: lbDimension,
                        },
                    },
                    {
                        id: "requests",
                        metric: {
                            namespace: "AWS/ApplicationELB",
                            metricName: "RequestCount",
                            stat: "Sum",
                            period: 60,
                            dimensions: lbDimension,
                        },
                    },
                ],
                ...actions,
            },
            child,
        );
        const unhealthy = new aws.cloudwatch.MetricAlarm(
            `${name}-unhealthy-hosts`,
            {
                alarmDescription: `critical: a target is unhealthy; ${runbook("unhealthy-hosts")}`,
                namespace: "AWS/ApplicationELB",
                metricName: "UnHealthyHostCount",
                statistic: "Maximum",
                period: 60,
                evaluationPeriods: 2,
                comparisonOperator: "GreaterThanThreshold",
                threshold: 0,
                dimensions: { ...lbDimension, TargetGroup: args.loadBalancer.targetGroupArnSuffix },
                ...actions,
            },
            child,
        );
        const cpu = new aws.cloudwatch.MetricAlarm(
            `${name}-cpu`,
            {
                alarmDescription: `warning: CPU above ${alarms.cpuPercent}% for ${alarms.cpuMinutes} minutes; ${runbook("cpu")}`,
                namespace: "AWS/EC2",
                metricName: "CPUUtilization",
                statistic: "Average",
                period: 60,
                evaluationPeriods: alarms.cpuMinutes,
                datapointsToAlarm: alarms.cpuMinutes,
                comparisonOperator: "GreaterThanThreshold",
                threshold: alarms.cpuPercent,
                dimensions: { AutoScalingGroupName: args.asgName },
                ...actions,
            },
            child,
        );
        this.alarmNames = [errors.name, unhealthy.name, cpu.name];
        this.registerOutputs({ alarmNames: this.alarmNames });
    }
}
