import * as aws from "../aws";
import * as pulumi from "@pulumi/pulumi";
import { PROTECT_BY_DEFAULT, type SectionInput } from "../../config/schema";
import { sectionSettings } from "../../config/sections";
import { boundedName } from "../../config/tagging";

export interface ApplicationLoadBalancerArgs {
    /** VPC of the load balancer. Required. */
    vpcId: pulumi.Input<string>;
    /** Public subnets it listens in, one per AZ. Required. */
    subnetIds: pulumi.Input<string>[];
    /** ACM certificate of the HTTPS listener. Required. */
    certificateArn: pulumi.Input<string>;
    /** Port the instances serve on. Optional. Defaults to APP_PORT (80). */
    targetPort?: number;
    /** `ops-platform:fleet` settings: sslPolicy, deletionProtection, accessLogs. Optional; defaults in config/schema.ts. */
    settings?: SectionInput<"fleet">;
    /** `protect` the access-log bucket. Optional. Defaults to PROTECT_BY_DEFAULT. */
    protect?: boolean;
}

/** AWS allows 32 characters for load balancer and target group names; Pulumi's autoname adds a dash and 7 random characters. */
const LB_LOGICAL_NAME_MAX = 32 - 8;

/** The port the web instances serve on, behind the load balancer. */
export const APP_PORT = 80;

/**
 * An internet-facing application load balancer: HTTPS with a TLS 1.3 policy, HTTP redirected
 * to HTTPS, a target group health-checked on /health, access logs to a private bucket, and a
 * security group open on 80/443. Resources inherit the AWS provider of `opts`.
 */
export class ApplicationLoadBalancer extends pulumi.ComponentResource {
    readonly arn: pulumi.Output<string>;
    readonly arnSuffix: pulumi.Output<string>;
    readonly dnsName: pulumi.Output<string>;
    readonly securityGroupId: pulumi.Output<string>;
    readonly targetGroupArn: pulumi.Output<string>;
    readonly targetGroupArnSuffix: pulumi.Output<string>;

    constructor(name: string, args: ApplicationLoadBalancerArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:fleet:ApplicationLoadBalancer", name, {}, opts);
        const settings = sectionSettings("fleet", args.settings, name);
        const protect = args.protect ?? PROTECT_BY_DEFAULT;
        const targetPort = args.targetPort ?? APP_PORT;

        const securityGroup = new aws.ec2.SecurityGroup(
            `${name}-alb`,
            { vpcId: args.vpcId, description: `${name} load balancer: 80/443 from anywhere`, tags: { Name: `${name}-alb` } },
            { parent: this },
        );
        for (const port of [80, 443]) {
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-alb-in-${port}`,
                {
                    securityGroupId: securityGroup.id,
                    ipProtocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    cidrIpv4: "0.0.0.0/0",
                    description: `HTTP${port === 443 ? "S" : ""} from anywhere`,
                },
                { parent: securityGroup },
            );
        }

        const logBucket = settings.accessLogs ? this.accessLogBucket(name, protect) : undefined;
        // Load balancer and target group names take at most 32 characters and Pulumi appends 8
        // to the logical name, so theirs is bounded to 24 (see docs/provider-rules.md).
        const lbName = boundedName(name, LB_LOGICAL_NAME_MAX);
        const targetGroup = new aws.lb.TargetGroup(
            lbName,
            {
                vpcId: args.vpcId,
                port: targetPort,
                protocol: "HTTP",
                targetType: "instance",
                deregistrationDelay: 30,
                healthCheck: {
                    path: "/health",
                    protocol: "HTTP",
                    matcher: "200",
                    healthyThreshold: 2,
                    unhealthyThreshold: 10,
                    interval: 30,
                    timeout: 5,
                },
            },
            { parent: this },
        );
        const alb = new aws.lb.LoadBalancer(
            lbName,
            {
                loadBalancerType: "application",
                internal: false,
                securityGroups: [securityGroup.id],
                subnets: args.subnetIds,
                enableDeletionProtection: settings.deletionProtection,
                dropInvalidHeaderFields: true,
                ...(logBucket ? { accessLogs: { bucket: logBucket.bucket, enabled: true, prefix: name } } : {}),
            },
            { parent: this, dependsOn: logBucket ? [logBucket.policy] : [] },
        );
        new aws.lb.Listener(
            `${name}-https`,
            {
                loadBalancerArn: alb.arn,
                port: 443,
                protocol: "HTTPS",
                sslPolicy: settings.sslPolicy,
                certificateArn: args.certificateArn,
                defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
            },
            { parent: alb },
        );
        new aws.lb.Listener(
            `${name}-http`,
            {
                loadBalancerArn: alb.arn,
                port: 80,
                protocol: "HTTP",
                defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
            },
            { parent: alb },
        );

        this.arn = alb.arn;
        this.arnSuffix = alb.arnSuffix;
        this.dnsName = alb.dnsName;
        this.securityGroupId = securityGroup.id;
        this.targetGroupArn = targetGroup.arn;
        this.targetGroupArnSuffix = targetGroup.arnSuffix;
        this.registerOutputs({
            arn: this.arn,
            dnsName: this.dnsName,
            securityGroupId: this.securityGroupId,
            targetGroupArn: this.targetGroupArn,
        });
    }

    /** An encrypted, private bucket the load balancer may write its access logs to. */
    private accessLogBucket(name: string, protect: boolean): { bucket: pulumi.Output<string>; policy: aws.s3.BucketPolicy } {
        const bucket = new aws.s3.Bucket(`${name}-alb-logs`, { forceDestroy: !protect }, { parent: this, protect });
        const child = { parent: bucket };
        // ALB access logs support SSE-S3 only.
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-alb-logs`,
            { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
            child,
        );
        new aws.s3.BucketPublicAccessBlock(
            `${name}-alb-logs`,
            { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            child,
        );
        new aws.s3.BucketOwnershipControls(
            `${name}-alb-logs`,
            { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
            child,
        );
        // Every object, as a filter with an empty prefix: terraform-provider-aws warns, "will be an
        // error in a future version", on a rule without one and (5.9x) on an empty filter block.
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-alb-logs`,
            {
                bucket: bucket.id,
                rules: [{ id: "expire-access-logs", status: "Enabled", filter: { prefix: "" }, expiration: { days: 90 } }],
            },
            child,
        );
        const policy = new aws.s3.BucketPolicy(
            `${name}-alb-logs`,
            {
                bucket: bucket.id,
                policy: bucket.arn.apply((arn) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Sid: "AlbLogDelivery",
                                Effect: "Allow",
                                Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
                                Action: "s3:PutObject",
                                Resource: `${arn}/${name}/*`,
                            },
                            {
                                Sid: "DenyInsecureTransport",
                                Effect: "Deny",
                                Principal: "*",
                                Action: "s3:*",
                                Resource: [arn, `${arn}/*`],
                                Condition: { Bool: { "aws:SecureTransport": "false" } },
                            },
                        ],
                    }),
                ),
            },
            child,
        );
        return { bucket: bucket.bucket, policy };
    }
}
