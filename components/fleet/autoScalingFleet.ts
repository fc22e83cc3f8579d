import * as aws from "../aws";
import * as pulumi from "@pulumi/pulumi";
import { BACKUP_PLAN_TAG, BACKUP_TIER_TAG } from "../../policies/lib/backupMatrix";
import { type SectionInput } from "../../config/schema";
import { sectionSettings } from "../../config/sections";
import { APP_PORT } from "./applicationLoadBalancer";
import { PATCH_GROUP_TAG } from "./patching";
import { renderUserData } from "./userData";
import { serviceRole } from "../iam";

export interface AutoScalingFleetArgs {
    /** VPC of the instances. Required. */
    vpcId: pulumi.Input<string>;
    /** Private subnets the instances run in, one per AZ. Required. */
    subnetIds: pulumi.Input<string>[];
    /** The load balancer in front: its security group may reach the instances, its target group receives them. Required. */
    loadBalancer: { securityGroupId: pulumi.Input<string>; targetGroupArn: pulumi.Input<string> };
    /** Tags every instance, volume and the group carry (provider default tags do not reach them). Required. */
    tags: Record<string, string>;
    /** Patch group the instances join (their patch-group tag). Required. */
    patchGroup: string;
    /** Backup plan that selects the instances and volumes (their BackupPlan tag, which the backup audit controls scope on). Optional. */
    backupPlan?: string;
    /** A warm standby: sized by `standbySize` instead of `size`. Optional. Defaults to false. */
    standby?: boolean;
    /** `ops-platform:fleet` settings: instance type, AMI, root volume, sizes, refresh, CPU target, backup tier. Optional; defaults in config/schema.ts. */
    settings?: SectionInput<"fleet">;
}

/**
 * Web instances in an autoscaling group: a launch template (IMDSv2, encrypted gp3 root, SSM
 * instead of SSH keys), the group behind the load balancer's target group with a rolling
 * instance refresh, and CPU target tracking. Resources inherit the AWS provider of `opts`.
 */
export class AutoScalingFleet extends pulumi.ComponentResource {
    readonly asgName: pulumi.Output<string>;
    /** The instances' role: a restore of an instance passes it (iam:PassRole) to the new instance. */
    readonly instanceRoleArn: pulumi.Output<string>;

    constructor(name: string, args: AutoScalingFleetArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:fleet:AutoScalingFleet", name, {}, opts);
        const settings = sectionSettings("fleet", args.settings, name);
        const size = args.standby ? settings.standbySize : settings.size;
        const instanceTags = {
            ...args.tags,
            Name: name,
            [BACKUP_TIER_TAG]: settings.backupTier,
            ...(args.backupPlan ? { [BACKUP_PLAN_TAG]: args.backupPlan } : {}),
            [PATCH_GROUP_TAG]: args.patchGroup,
        };

        // Instances take the app port from the load balancer only; out: HTTP(S) through NAT for packages, SSM, patching.
        const securityGroup = new aws.ec2.SecurityGroup(
            `${name}-instances`,
            {
                vpcId: args.vpcId,
                description: `${name} instances: app port from the load balancer only`,
                tags: { Name: `${name}-instances` },
            },
            { parent: this },
        );
        const fromLb = { ipProtocol: "tcp", fromPort: APP_PORT, toPort: APP_PORT };
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-alb-out-app`,
            {
                securityGroupId: args.loadBalancer.securityGroupId,
                ...fromLb,
                referencedSecurityGroupId: securityGroup.id,
                description: "to the instances",
            },
            { parent: securityGroup },
        );
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-instances-in-app`,
            {
                securityGroupId: securityGroup.id,
                ...fromLb,
                referencedSecurityGroupId: args.loadBalancer.securityGroupId,
                description: "from the load balancer",
            },
            { parent: securityGroup },
        );
        if (settings.sshCidr) {
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-instances-in-ssh`,
                {
                    securityGroupId: securityGroup.id,
                    ipProtocol: "tcp",
                    fromPort: 22,
                    toPort: 22,
                    cidrIpv4: settings.sshCidr,
                    description: "SSH from the internal range",
                },
                { parent: securityGroup },
            );
        }
        for (const port of [80, 443]) {
            new aws.vpc.SecurityGroupEgressRule(
                `${name}-instances-out-${port}`,
                {
                    securityGroupId: securityGroup.id,
                    ipProtocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    cidrIpv4: "0.0.0.0/0",
                    description: "updates and SSM",
                },
                { parent: securityGroup },
            );
        }

        // Instance identity: SSM only, no SSH keys.
        const role = serviceRole(
            `${name}-instance`,
            "ec2.amazonaws.com",
            {
                ssm: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
                cloudwatch: "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
            },
            { parent: this },
        );
        const profile = new aws.iam.InstanceProfile(`${name}-instance`, { role: role.name }, { parent: role });

        const imageId = settings.amiId
            ? pulumi.output(settings.amiId)
            : aws.ec2.getAmiOutput(
                  {
                      mostRecent: true,
                      owners: [settings.amiOwner],
                      filters: [
                          { name: "name", values: [settings.amiNameFilter] },
                          { name: "virtualization-type", values: ["hvm"] },
                      ],
                  },
                  { parent: this },
              ).id;

        const launchTemplate = new aws.ec2.LaunchTemplate(
            name,
            {
                imageId,
                instanceType: settings.instanceType,
                iamInstanceProfile: { arn: profile.arn },
                vpcSecurityGroupIds: [securityGroup.id],
                metadataOptions: {
                    httpEndpoint: "enabled",
                    httpTokens: "required",
                    httpPutResponseHopLimit: 1,
                    instanceMetadataTags: "enabled",
                },
                blockDeviceMappings: [
                    {
                        deviceName: "/dev/sda1",
                        ebs: {
                            volumeSize: settings.rootVolumeGb,
                            volumeType: "gp3",
                            encrypted: "true",
                            deleteOnTermination: "true",
                            ...(settings.ebsKmsKeyArn ? { kmsKeyId: settings.ebsKmsKeyArn } : {}),
                        },
                    },
                ],
                monitoring: { enabled: true },
                userData: Buffer.from(
                    renderUserData({ environment: args.tags["Environment"] ?? "", service: args.tags["Service"] ?? "", appPort: APP_PORT }),
                ).toString("base64"),
                // A volume is backed up in its instance's AMI, not by the plan itself (the selections
                // leave volumes out), so it carries no BackupPlan tag for the plan-scoped audit control
                // to expect a recovery point of its own.
                tagSpecifications: [
                    { resourceType: "instance", tags: instanceTags },
                    {
                        resourceType: "volume",
                        tags: Object.fromEntries(Object.entries(instanceTags).filter(([key]) => key !== BACKUP_PLAN_TAG)),
                    },
                ],
                updateDefaultVersion: true,
            },
            { parent: this },
        );

        // Rolling refresh along the seed's 10% -> 50% -> 100%. A group that may run one instance
        // launches its replacement first: below 100% healthy, AWS terminates before it launches,
        // which takes a single instance down (docs/provider-rules.md).
        const refresh = settings.refresh;
        const healthy =
            size.minSize <= 1
                ? { minHealthyPercentage: 100, maxHealthyPercentage: 200 }
                : { minHealthyPercentage: refresh.minHealthyPercentage };
        const asg = new aws.autoscaling.Group(
            name,
            {
                minSize: size.minSize,
                desiredCapacity: size.desiredCapacity,
                maxSize: size.maxSize,
                vpcZoneIdentifiers: args.subnetIds,
                healthCheckType: "ELB",
                healthCheckGracePeriod: settings.healthCheckGracePeriodSeconds,
                targetGroupArns: [args.loadBalancer.targetGroupArn],
                launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
                instanceRefresh: {
                    strategy: "Rolling",
                    preferences: {
                        checkpointPercentages: refresh.checkpointPercentages,
                        checkpointDelay: String(refresh.checkpointDelaySeconds),
                        ...healthy,
                        autoRollback: true,
                        skipMatching: true,
                    },
                },
                enabledMetrics: ["GroupInServiceInstances", "GroupDesiredCapacity", "GroupTotalInstances"],
                tags: Object.entries(instanceTags).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
            },
            // Target tracking owns the desired capacity once the group exists; setting it on every
            // `up` would undo a scale-out (docs/provider-rules.md).
            { parent: this, ignoreChanges: ["desiredCapacity"] },
        );
        new aws.autoscaling.Policy(
            `${name}-cpu`,
            {
                autoscalingGroupName: asg.name,
                policyType: "TargetTrackingScaling",
                targetTrackingConfiguration: {
                    predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" },
                    targetValue: settings.cpuTargetPercent,
                },
            },
            { parent: asg },
        );

        this.asgName = asg.name;
        this.instanceRoleArn = role.arn;
        this.registerOutputs({ asgName: this.asgName, instanceRoleArn: this.instanceRoleArn });
    }
}
