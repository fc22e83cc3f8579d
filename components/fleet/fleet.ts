import * as pulumi from "@pulumi/pulumi";
import { sectionSettings } from "../../config/sections";
import { OffHoursSchedule } from "./offHours";
import type { SectionInput } from "../../config/schema";
import { AlarmTopic } from "../alerting";
import { ApplicationLoadBalancer } from "./applicationLoadBalancer";
import { AutoScalingFleet } from "./autoScalingFleet";
import { FleetAlarms } from "./fleetAlarms";
import { Patching } from "./patching";

export interface FleetArgs {
    /** VPC of the fleet. Required. */
    vpcId: pulumi.Input<string>;
    /** Subnets of the load balancer. Required. */
    publicSubnetIds: pulumi.Input<string>[];
    /** Subnets of the instances, one per AZ. Required. */
    privateSubnetIds: pulumi.Input<string>[];
    /** Tags every instance, volume and the autoscaling group carry. Required. */
    tags: Record<string, string>;
    /** ACM certificate of the HTTPS listener. Required. */
    certificateArn: pulumi.Input<string>;
    /** Where the alarms' descriptions link their runbooks (monitoring.runbookBaseUrl). Optional; this repository's docs/runbooks. */
    runbookBaseUrl?: string;
    /** Backup plan that selects the instances (their BackupPlan tag). Optional. */
    backupPlan?: string;
    /** A warm standby region's fleet (sized by `standbySize`). Optional. Defaults to false. */
    standby?: boolean;
    /** The `ops-platform:fleet` section. Optional; defaults in config/schema.ts. */
    settings?: SectionInput<"fleet">;
    /** Email addresses subscribed to the alarm topic. Optional. Defaults to none. */
    alarmEmails?: string[];
    /** `protect` the access-log bucket and the alarm topic's key. Optional. Defaults to PROTECT_BY_DEFAULT. */
    protect?: boolean;
}

/**
 * The web fleet of one region: an application load balancer in front of an autoscaling
 * fleet, alarms to an SNS topic, and SSM patching of the fleet's patch group. Resources
 * inherit the AWS provider of `opts`.
 */
export class Fleet extends pulumi.ComponentResource {
    readonly albDnsName: pulumi.Output<string>;
    readonly albArn: pulumi.Output<string>;
    readonly asgName: pulumi.Output<string>;
    /** The instances' role, which restoring an instance from a backup passes on. */
    readonly instanceRoleArn: pulumi.Output<string>;
    readonly targetGroupArn: pulumi.Output<string>;
    readonly alarmTopicArn: pulumi.Output<string>;

    constructor(name: string, args: FleetArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:fleet:Fleet", name, {}, opts);
        const { settings, protect } = args;
        const child = { parent: this };
        const patchGroup = name;

        const alb = new ApplicationLoadBalancer(
            name,
            { vpcId: args.vpcId, subnetIds: args.publicSubnetIds, certificateArn: args.certificateArn, settings, protect },
            child,
        );
        const instances = new AutoScalingFleet(
            name,
            {
                vpcId: args.vpcId,
                subnetIds: args.privateSubnetIds,
                loadBalancer: alb,
                tags: args.tags,
                patchGroup,
                backupPlan: args.backupPlan,
                standby: args.standby,
                settings,
            },
            child,
        );
        const topic = new AlarmTopic(name, { emails: args.alarmEmails, protect }, child);
        // Off-hours sizes for a serving fleet of a non-production stack (the config rules keep production's off).
        const { offHours } = sectionSettings("fleet", settings, name);
        if (offHours && !args.standby) new OffHoursSchedule(name, { groupName: instances.asgName, offHours }, child);
        const alarms = new FleetAlarms(
            name,
            { topicArn: topic.arn, loadBalancer: alb, asgName: instances.asgName, settings, runbookBaseUrl: args.runbookBaseUrl },
            child,
        );
        new Patching(name, { patchGroup, alarmNames: alarms.alarmNames, alarmTopicArn: topic.arn, settings }, child);

        this.albDnsName = alb.dnsName;
        this.albArn = alb.arn;
        this.asgName = instances.asgName;
        this.instanceRoleArn = instances.instanceRoleArn;
        this.targetGroupArn = alb.targetGroupArn;
        this.alarmTopicArn = topic.arn;
        this.registerOutputs({
            albDnsName: this.albDnsName,
            albArn: this.albArn,
            asgName: this.asgName,
            instanceRoleArn: this.instanceRoleArn,
            targetGroupArn: this.targetGroupArn,
            alarmTopicArn: this.alarmTopicArn,
        });
    }
}
