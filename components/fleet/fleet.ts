import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BACKUP_TIER_TAG, type BackupTier } from "../../config/backupMatrix";
import { renderUserData } from "./userData";

export interface FleetSize {
    minSize: number;
    desiredCapacity: number;
    maxSize: number;
}

export interface FleetArgs {
    /** VPC of the fleet. Required. */
    vpcId: pulumi.Input<string>;
    /** Subnets of the load balancer. Required. */
    publicSubnetIds: pulumi.Input<string>[];
    /** Subnets of the instances, one per AZ. Required. */
    privateSubnetIds: pulumi.Input<string>[];
    /** Tags every instance, volume and the autoscaling group carry (provider default tags do not reach them). Required. */
    tags: Record<string, string>;
    /** Instance type. Optional. Defaults to "t3.medium". */
    instanceType?: string;
    /** A fixed AMI id. Optional. Defaults to the newest image matching amiNameFilter from amiOwner. */
    amiId?: string;
    /** AMI name filter. Optional. Defaults to Ubuntu 24.04 LTS (gp3). */
    amiNameFilter?: string;
    /** AMI owner. Optional. Defaults to Canonical (099720109477). */
    amiOwner?: string;
    /** Root volume size in GB (gp3, encrypted). Optional. Defaults to 50. */
    rootVolumeGb?: number;
    /** Customer KMS key for root volumes. Optional. Defaults to the AWS-managed EBS key. */
    ebsKmsKeyArn?: string;
    /** Autoscaling bounds. Optional. Defaults to 3/3/9. */
    size?: FleetSize;
    /** Seconds before ELB health checks count for a new instance. Optional. Defaults to 300. */
    healthCheckGracePeriodSeconds?: number;
    /** ACM certificate of the HTTPS listener. Required. */
    certificateArn: pulumi.Input<string>;
    /** TLS policy of the HTTPS listener. Optional. Defaults to "ELBSecurityPolicy-TLS13-1-2-2021-06". */
    sslPolicy?: string;
    /** Load balancer deletion protection. Optional. Defaults to true. */
    deletionProtection?: boolean;
    /** ALB access logs to an S3 bucket. Optional. Defaults to true. */
    accessLogs?: boolean;
    /** `protect` the access-log bucket and the alarm topic's key. Optional. Defaults to true. */
    protectStatefulResources?: boolean;
    /** Internal range SSH may come from. Optional. Defaults to "10.0.0.0/8". */
    internalCidr?: string;
    /** Open SSH (22) from this range (inside internalCidr). Optional. Defaults to closed. */
    sshCidr?: string;
    /** Target average CPU for scaling, percent. Optional. Defaults to 60. */
    cpuTargetPercent?: number;
    /** Instance refresh checkpoints, percent. Optional. Defaults to [10, 50, 100]. */
    refreshCheckpoints?: number[];
    /** Pause between refresh checkpoints, seconds. Optional. Defaults to 600. */
    refreshCheckpointDelaySeconds?: number;
    /** Healthy capacity kept during a refresh, percent. Optional. Defaults to 90. */
    refreshMinHealthyPercentage?: number;
    /** ALB 5xx ratio that raises the critical alarm. Optional. Defaults to 0.05. */
    error5xxRatio?: number;
    /** CPU percent that raises the CPU alarm. Optional. Defaults to 85. */
    cpuAlarmPercent?: number;
    /** Minutes CPU must stay high. Optional. Defaults to 10. */
    cpuAlarmMinutes?: number;
    /** Backup tier of instances and volumes. Optional. Defaults to "high". */
    backupTier?: BackupTier;
    /** Email addresses subscribed to the alarm topic. Optional. Defaults to none. */
    alarmEmails?: string[];
    /** PagerDuty integration key (secret) for an HTTPS subscription. Optional. */
    pagerdutyRoutingKey?: pulumi.Input<string>;
    /** Patch deadlines in days per severity (seed: 7/30/90). Optional. */
    patchDeadlineDays?: { critical: number; high: number; medium: number };
    /** Weekly maintenance window start (AWS cron). Optional. Defaults to Tuesdays 03:00 UTC. */
    patchWindowSchedule?: string;
    /** Maintenance window length in hours. Optional. Defaults to 3. */
    patchWindowHours?: number;
}

const APP_PORT = 80;
const HTTPS_POLICY_DEFAULT = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/**
 * The web fleet of one region: launch template, autoscaling group, application load balancer,
 * security groups, alarms to an SNS topic and SSM patching. Resources inherit the AWS
 * provider of `opts`.
 */
export class Fleet extends pulumi.ComponentResource {
    readonly albDnsName: pulumi.Output<string>;
    readonly albArn: pulumi.Output<string>;
    readonly asgName: pulumi.Output<string>;
    readonly targetGroupArn: pulumi.Output<string>;
    readonly alarmTopicArn: pulumi.Output<string>;

    constructor(name: string, args: FleetArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:fleet:Fleet", name, {}, opts);
        const child = { parent: this };
        const size = args.size ?? { minSize: 3, desiredCapacity: 3, maxSize: 9 };
        const instanceTags = { ...args.tags, Name: name, [BACKUP_TIER_TAG]: args.backupTier ?? "high", "Patch Group": name };

        // --- security groups: the ALB takes 80/443 from anywhere, instances only the ALB ---
        const albSg = new aws.ec2.SecurityGroup(`${name}-alb`, { vpcId: args.vpcId, description: `${name} load balancer: 80/443 from anywhere`, tags: { Name: `${name}-alb` } }, child);
        const instanceSg = new aws.ec2.SecurityGroup(`${name}-instances`, { vpcId: args.vpcId, description: `${name} instances: app port from the load balancer only`, tags: { Name: `${name}-instances` } }, child);
        for (const port of [80, 443]) {
            new aws.vpc.SecurityGroupIngressRule(`${name}-alb-in-${port}`, { securityGroupId: albSg.id, ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv4: "0.0.0.0/0", description: `HTTP${port === 443 ? "S" : ""} from anywhere` }, { parent: albSg });
        }
        new aws.vpc.SecurityGroupEgressRule(`${name}-alb-out-app`, { securityGroupId: albSg.id, ipProtocol: "tcp", fromPort: APP_PORT, toPort: APP_PORT, referencedSecurityGroupId: instanceSg.id, description: "to the instances" }, { parent: albSg });
        new aws.vpc.SecurityGroupIngressRule(`${name}-instances-in-app`, { securityGroupId: instanceSg.id, ipProtocol: "tcp", fromPort: APP_PORT, toPort: APP_PORT, referencedSecurityGroupId: albSg.id, description: "from the load balancer" }, { parent: instanceSg });
        if (args.sshCidr) {
            new aws.vpc.SecurityGroupIngressRule(`${name}-instances-in-ssh`, { securityGroupId: instanceSg.id, ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: args.sshCidr, description: "SSH from the internal range" }, { parent: instanceSg });
        }
        // Outbound HTTPS/HTTP through NAT: packages, SSM, patching.
        for (const port of [80, 443]) {
            new aws.vpc.SecurityGroupEgressRule(`${name}-instances-out-${port}`, { securityGroupId: instanceSg.id, ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv4: "0.0.0.0/0", description: "updates and SSM" }, { parent: instanceSg });
        }

        // --- instance identity: SSM only, no SSH keys ---
        const role = new aws.iam.Role(`${name}-instance`, { assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }) }, child);
        for (const [suffix, policyArn] of [["ssm", "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"], ["cloudwatch", "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"]] as const) {
            new aws.iam.RolePolicyAttachment(`${name}-instance-${suffix}`, { role: role.name, policyArn }, { parent: role });
        }
        const profile = new aws.iam.InstanceProfile(`${name}-instance`, { role: role.name }, { parent: role });

        const imageId = args.amiId
            ? pulumi.output(args.amiId)
            : aws.ec2.getAmiOutput(
                  {
                      mostRecent: true,
                      owners: [args.amiOwner ?? "099720109477"],
                      filters: [
                          { name: "name", values: [args.amiNameFilter ?? "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"] },
                          { name: "virtualization-type", values: ["hvm"] },
                      ],
                  },
                  child,
              ).id;

        const launchTemplate = new aws.ec2.LaunchTemplate(
            name,
            {
                imageId,
                instanceType: args.instanceType ?? "t3.medium",
                iamInstanceProfile: { arn: profile.arn },
                vpcSecurityGroupIds: [instanceSg.id],
                metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "enabled" },
                blockDeviceMappings: [
                    {
                        deviceName: "/dev/sda1",
                        ebs: { volumeSize: args.rootVolumeGb ?? 50, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true", ...(args.ebsKmsKeyArn ? { kmsKeyId: args.ebsKmsKeyArn } : {}) },
                    },
                ],
                monitoring: { enabled: true },
                userData: Buffer.from(renderUserData({ environment: args.tags["Environment"] ?? "", service: args.tags["Service"] ?? "", appPort: APP_PORT })).toString("base64"),
                tagSpecifications: [
                    { resourceType: "instance", tags: instanceTags },
                    { resourceType: "volume", tags: instanceTags },
                ],
                updateDefaultVersion: true,
            },
            child,
        );

        // --- load balancer ---
        const logBucket = args.accessLogs === false ? undefined : this.accessLogBucket(name, args.protectStatefulResources ?? true);
        const targetGroup = new aws.lb.TargetGroup(
            name,
            {
                vpcId: args.vpcId,
                port: APP_PORT,
                protocol: "HTTP",
                targetType: "instance",
                deregistrationDelay: 30,
                healthCheck: { path: "/health", protocol: "HTTP", matcher: "200", healthyThreshold: 2, unhealthyThreshold: 10, interval: 30, timeout: 5 },
            },
            child,
        );
        const alb = new aws.lb.LoadBalancer(
            name,
            {
                loadBalancerType: "application",
                internal: false,
                securityGroups: [albSg.id],
                subnets: args.publicSubnetIds,
                enableDeletionProtection: args.deletionProtection ?? true,
                dropInvalidHeaderFields: true,
                ...(logBucket ? { accessLogs: { bucket: logBucket.bucket, enabled: true, prefix: name } } : {}),
            },
            { parent: this, dependsOn: logBucket ? [logBucket.policy] : [] },
        );
        new aws.lb.Listener(
            `${name}-https`,
            { loadBalancerArn: alb.arn, port: 443, protocol: "HTTPS", sslPolicy: args.sslPolicy ?? HTTPS_POLICY_DEFAULT, certificateArn: args.certificateArn, defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }] },
            { parent: alb },
        );
        new aws.lb.Listener(
            `${name}-http`,
            { loadBalancerArn: alb.arn, port: 80, protocol: "HTTP", defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }] },
            { parent: alb },
        );

        // --- autoscaling group: rolling refresh along the seed's 10% -> 50% -> 100% ---
        const checkpoints = args.refreshCheckpoints ?? [10, 50, 100];
        const asg = new aws.autoscaling.Group(
            name,
            {
                minSize: size.minSize,
                desiredCapacity: size.desiredCapacity,
                maxSize: size.maxSize,
                vpcZoneIdentifiers: args.privateSubnetIds,
                healthCheckType: "ELB",
                healthCheckGracePeriod: args.healthCheckGracePeriodSeconds ?? 300,
                targetGroupArns: [targetGroup.arn],
                launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
                instanceRefresh: {
                    strategy: "Rolling",
                    preferences: {
                        checkpointPercentages: checkpoints,
                        checkpointDelay: String(args.refreshCheckpointDelaySeconds ?? 600),
                        minHealthyPercentage: args.refreshMinHealthyPercentage ?? 90,
                        autoRollback: true,
                        skipMatching: true,
                    },
                },
                enabledMetrics: ["GroupInServiceInstances", "GroupDesiredCapacity", "GroupTotalInstances"],
                tags: Object.entries(instanceTags).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
            },
            child,
        );
        new aws.autoscaling.Policy(
            `${name}-cpu`,
            { autoscalingGroupName: asg.name, policyType: "TargetTrackingScaling", targetTrackingConfiguration: { predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" }, targetValue: args.cpuTargetPercent ?? 60 } },
            { parent: asg },
        );

        // --- alarms to SNS ---
        const topic = this.alarmTopic(name, args.protectStatefulResources ?? true);
        (args.alarmEmails ?? []).forEach((email, i) => new aws.sns.TopicSubscription(`${name}-alarms-email-${i + 1}`, { topic: topic.arn, protocol: "email", endpoint: email }, { parent: topic }));
        if (args.pagerdutyRoutingKey) {
            new aws.sns.TopicSubscription(
                `${name}-alarms-pagerduty`,
                { topic: topic.arn, protocol: "https", endpoint: pulumi.secret(pulumi.interpolate`https://events.pagerduty.com/integration/${args.pagerdutyRoutingKey}/enqueue`), endpointAutoConfirms: true },
                { parent: topic },
            );
        }
        const actions = { alarmActions: [topic.arn], okActions: [topic.arn] };
        const lbDimension = { LoadBalancer: alb.arnSuffix };
        new aws.cloudwatch.MetricAlarm(
            `${name}-5xx-ratio`,
            {
                alarmDescription: `critical: ALB 5xx ratio above ${args.error5xxRatio ?? 0.05} for 5 minutes`,
                comparisonOperator: "GreaterThanThreshold",
                threshold: args.error5xxRatio ?? 0.05,
                evaluationPeriods: 5,
                datapointsToAlarm: 5,
                treatMissingData: "notBreaching",
                metricQueries: [
                    { id: "ratio", expression: "(target5xx + elb5xx) / requests", label: "5xx ratio", returnData: true },
                    { id: "target5xx", metric: { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_Target_5XX_Count", stat: "Sum", period: 60, dimensions: lbDimension } },
                    { id: "elb5xx", metric: { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_ELB_5XX_Count", stat: "Sum", period: 60, dimensions: lbDimension } },
                    { id: "requests", metric: { namespace: "AWS/ApplicationELB", metricName: "RequestCount", stat: "Sum", period: 60, dimensions: lbDimension } },
                ],
                ...actions,
            },
            { parent: alb },
        );
        new aws.cloudwatch.MetricAlarm(
            `${name}-unhealthy-hosts`,
            {
                alarmDescription: "critical: a target is unhealthy",
                namespace: "AWS/ApplicationELB",
                metricName: "UnHealthyHostCount",
                statistic: "Maximum",
                period: 60,
                evaluationPeriods: 2,
                comparisonOperator: "GreaterThanThreshold",
                threshold: 0,
                dimensions: { LoadBalancer: alb.arnSuffix, TargetGroup: targetGroup.arnSuffix },
                ...actions,
            },
            { parent: targetGroup },
        );
        const cpuMinutes = args.cpuAlarmMinutes ?? 10;
        new aws.cloudwatch.MetricAlarm(
            `${name}-cpu`,
            {
                alarmDescription: `warning: CPU above ${args.cpuAlarmPercent ?? 85}% for ${cpuMinutes} minutes`,
                namespace: "AWS/EC2",
                metricName: "CPUUtilization",
                statistic: "Average",
                period: 60,
                evaluationPeriods: cpuMinutes,
                datapointsToAlarm: cpuMinutes,
                comparisonOperator: "GreaterThanThreshold",
                threshold: args.cpuAlarmPercent ?? 85,
                dimensions: { AutoScalingGroupName: asg.name },
                ...actions,
            },
            { parent: asg },
        );

        this.patching(name, args, checkpoints[0] ?? 10);

        this.albDnsName = alb.dnsName;
        this.albArn = alb.arn;
        this.asgName = asg.name;
        this.targetGroupArn = targetGroup.arn;
        this.alarmTopicArn = topic.arn;
        this.registerOutputs({ albDnsName: this.albDnsName, albArn: this.albArn, asgName: this.asgName, targetGroupArn: this.targetGroupArn, alarmTopicArn: this.alarmTopicArn });
    }

    /**
     * The alarm topic, encrypted with its own key: CloudWatch and AWS Backup cannot publish
     * to a topic under the AWS-managed SNS key.
     */
    private alarmTopic(name: string, protect: boolean): aws.sns.Topic {
        const publishers = ["cloudwatch.amazonaws.com", "backup.amazonaws.com"];
        const caller = aws.getCallerIdentityOutput({}, { parent: this });
        const key = new aws.kms.Key(
            `${name}-alarms`,
            {
                description: `${name} alarm topic`,
                enableKeyRotation: true,
                policy: caller.accountId.apply((account) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
                            { Sid: "PublishersEncrypt", Effect: "Allow", Principal: { Service: publishers }, Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: "*" },
                        ],
                    }),
                ),
            },
            { parent: this, protect },
        );
        const topic = new aws.sns.Topic(`${name}-alarms`, { kmsMasterKeyId: key.arn }, { parent: this });
        new aws.sns.TopicPolicy(
            `${name}-alarms`,
            {
                arn: topic.arn,
                policy: pulumi.all([topic.arn, caller.accountId]).apply(([arn, account]) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [{ Sid: "ServicesPublish", Effect: "Allow", Principal: { Service: publishers }, Action: "SNS:Publish", Resource: arn, Condition: { StringEquals: { "aws:SourceAccount": account } } }],
                    }),
                ),
            },
            { parent: topic },
        );
        return topic;
    }

    /** An encrypted, private bucket the load balancer may write its access logs to. */
    private accessLogBucket(name: string, protect: boolean): { bucket: pulumi.Output<string>; policy: aws.s3.BucketPolicy } {
        const bucket = new aws.s3.Bucket(`${name}-alb-logs`, { forceDestroy: !protect }, { parent: this, protect });
        const child = { parent: bucket };
        // ALB access logs support SSE-S3 only.
        new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-alb-logs`, { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }, child);
        new aws.s3.BucketPublicAccessBlock(`${name}-alb-logs`, { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, child);
        new aws.s3.BucketOwnershipControls(`${name}-alb-logs`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);
        new aws.s3.BucketLifecycleConfiguration(`${name}-alb-logs`, { bucket: bucket.id, rules: [{ id: "expire-access-logs", status: "Enabled", filter: {}, expiration: { days: 90 } }] }, child);
        const policy = new aws.s3.BucketPolicy(
            `${name}-alb-logs`,
            {
                bucket: bucket.id,
                policy: bucket.arn.apply((arn) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            { Sid: "AlbLogDelivery", Effect: "Allow", Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" }, Action: "s3:PutObject", Resource: `${arn}/${name}/*` },
                            { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, `${arn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
                        ],
                    }),
                ),
            },
            child,
        );
        return { bucket: bucket.bucket, policy };
    }

    /**
     * SSM patching: a baseline that approves security updates by severity and a weekly window
     * that installs them. The weekly window meets the 7/30/90-day deadlines; the install runs
     * `firstWave`% of instances at a time and stops on the first failure, so a bad patch
     * reaches one wave only.
     */
    private patching(name: string, args: FleetArgs, firstWave: number): void {
        const deadlines = args.patchDeadlineDays ?? { critical: 7, high: 30, medium: 90 };
        const baseline = new aws.ssm.PatchBaseline(
            `${name}-patches`,
            {
                operatingSystem: "UBUNTU",
                description: `Security updates: critical within ${deadlines.critical} days, high within ${deadlines.high}, medium within ${deadlines.medium}`,
                approvalRules: [
                    { complianceLevel: "CRITICAL", patchFilters: [{ key: "PRIORITY", values: ["Required"] }, { key: "SECTION", values: ["*"] }] },
                    { complianceLevel: "HIGH", patchFilters: [{ key: "PRIORITY", values: ["Important"] }, { key: "SECTION", values: ["*"] }] },
                    { complianceLevel: "MEDIUM", patchFilters: [{ key: "PRIORITY", values: ["Standard"] }, { key: "SECTION", values: ["*"] }] },
                ],
            },
            { parent: this },
        );
        new aws.ssm.PatchGroup(`${name}-patches`, { baselineId: baseline.id, patchGroup: name }, { parent: baseline });
        const window = new aws.ssm.MaintenanceWindow(
            `${name}-patches`,
            { schedule: args.patchWindowSchedule ?? "cron(0 3 ? * TUE *)", duration: args.patchWindowHours ?? 3, cutoff: 1, allowUnassociatedTargets: false },
            { parent: baseline },
        );
        const target = new aws.ssm.MaintenanceWindowTarget(
            `${name}-patches`,
            { windowId: window.id, resourceType: "INSTANCE", targets: [{ key: "tag:Patch Group", values: [name] }] },
            { parent: window },
        );
        new aws.ssm.MaintenanceWindowTask(
            `${name}-patches`,
            {
                windowId: window.id,
                taskType: "RUN_COMMAND",
                taskArn: "AWS-RunPatchBaseline",
                priority: 1,
                maxConcurrency: `${firstWave}%`,
                maxErrors: "0",
                targets: [{ key: "WindowTargetIds", values: [target.id] }],
                taskInvocationParameters: { runCommandParameters: { parameters: [{ name: "Operation", values: ["Install"] }, { name: "RebootOption", values: ["RebootIfNeeded"] }] } },
            },
            { parent: window },
        );
    }
}
