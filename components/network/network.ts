import * as aws from "../aws";
import * as pulumi from "@pulumi/pulumi";
import { type SectionInput } from "../../config/schema";
import { sectionSettings } from "../../config/sections";
import { natGatewayFor, subnetLayout, subnetName } from "./subnetLayout";

export interface NetworkArgs {
    /** VPC CIDR block. Required; a /16 leaves room for 8 AZs of /20 subnets. */
    cidrBlock: string;
    /** `ops-platform:network` settings: azCount, natGateways ("perAz" or "single"), flowLogRetentionDays. Optional; defaults in config/schema.ts. */
    settings?: SectionInput<"network">;
}

/**
 * A VPC across `azCount` availability zones with a public and a private subnet in each,
 * NAT for the private subnets and flow logs. Resources inherit the AWS provider of `opts`.
 */
export class Network extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    readonly publicSubnetIds: pulumi.Output<string>[];
    readonly privateSubnetIds: pulumi.Output<string>[];
    readonly availabilityZones: pulumi.Output<string[]>;

    constructor(name: string, args: NetworkArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:network:Network", name, {}, opts);
        const { azCount, natGateways: natMode, flowLogRetentionDays } = sectionSettings("network", args.settings, name);
        const child = { parent: this };

        const zones = aws.getAvailabilityZonesOutput({ state: "available" }, child);
        this.availabilityZones = zones.names.apply((names) => {
            if (names.length < azCount) throw new Error(`${name}: the region has ${names.length} availability zones, ${azCount} requested`);
            return names.slice(0, azCount);
        });

        const vpc = new aws.ec2.Vpc(
            name,
            { cidrBlock: args.cidrBlock, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: name } },
            child,
        );
        const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: { Name: `${name}-igw` } }, { parent: vpc });

        const layout = subnetLayout(args.cidrBlock, azCount);
        const subnets = layout.map((spec) => {
            const subnetNameFor = subnetName(name, spec);
            const subnet = new aws.ec2.Subnet(
                subnetNameFor,
                {
                    vpcId: vpc.id,
                    cidrBlock: spec.cidrBlock,
                    availabilityZone: this.availabilityZones.apply((z) => z[spec.azIndex]!),
                    mapPublicIpOnLaunch: false,
                    tags: { Name: subnetNameFor, SubnetType: spec.type },
                },
                { parent: vpc },
            );
            return { spec, subnet };
        });
        const publics = subnets.filter((s) => s.spec.type === "public");
        const privates = subnets.filter((s) => s.spec.type === "private");

        for (const { spec, subnet } of publics) {
            const rtName = `${subnetName(name, spec)}-rt`;
            const rt = new aws.ec2.RouteTable(
                rtName,
                { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags: { Name: rtName } },
                { parent: subnet },
            );
            new aws.ec2.RouteTableAssociation(rtName, { subnetId: subnet.id, routeTableId: rt.id }, { parent: subnet });
        }

        const natCount = natMode === "perAz" ? azCount : 1;
        const nats = publics.slice(0, natCount).map(({ spec, subnet }) => {
            const natName = `${name}-nat-${spec.azIndex + 1}`;
            const eip = new aws.ec2.Eip(natName, { domain: "vpc", tags: { Name: natName } }, { parent: subnet });
            return new aws.ec2.NatGateway(
                natName,
                { subnetId: subnet.id, allocationId: eip.id, tags: { Name: natName } },
                { parent: subnet, dependsOn: [igw] },
            );
        });

        for (const { spec, subnet } of privates) {
            const rtName = `${subnetName(name, spec)}-rt`;
            const nat = nats[natGatewayFor(spec.azIndex, natMode)]!;
            const rt = new aws.ec2.RouteTable(
                rtName,
                { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }], tags: { Name: rtName } },
                { parent: subnet },
            );
            new aws.ec2.RouteTableAssociation(rtName, { subnetId: subnet.id, routeTableId: rt.id }, { parent: subnet });
        }

        const flowLogGroup = new aws.cloudwatch.LogGroup(`${name}-flow-logs`, { retentionInDays: flowLogRetentionDays }, { parent: vpc });
        const flowLogRole = new aws.iam.Role(
            `${name}-flow-logs`,
            {
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole" }],
                }),
            },
            { parent: vpc },
        );
        new aws.iam.RolePolicy(
            `${name}-flow-logs`,
            {
                role: flowLogRole.id,
                policy: flowLogGroup.arn.apply((arn) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Effect: "Allow",
                                Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                                Resource: [arn, `${arn}:*`],
                            },
                        ],
                    }),
                ),
            },
            { parent: flowLogRole },
        );
        new aws.ec2.FlowLog(
            `${name}-flow-logs`,
            { vpcId: vpc.id, trafficType: "ALL", logDestination: flowLogGroup.arn, iamRoleArn: flowLogRole.arn },
            { parent: vpc },
        );

        this.vpcId = vpc.id;
        this.publicSubnetIds = publics.map((s) => s.subnet.id);
        this.privateSubnetIds = privates.map((s) => s.subnet.id);
        this.registerOutputs({ vpcId: this.vpcId, publicSubnetIds: this.publicSubnetIds, privateSubnetIds: this.privateSubnetIds });
    }
}
