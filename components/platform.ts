import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config/stackConfig";
import { requiredTags } from "../config/tagging";
import { Network } from "./network";

export interface PlatformArgs {
    /** The stack's validated config. Required. */
    config: PlatformConfig;
}

/** One region's share of the platform. */
export interface RegionalPlatform {
    region: string;
    standby: boolean;
    provider: aws.Provider;
    network: Network;
}

/**
 * The whole platform of one environment. Each area is a component; the wiring between them
 * (ALB DNS names to edge pools, tags to backup selections, hostnames to probes) happens here
 * and nowhere else.
 */
export class Platform extends pulumi.ComponentResource {
    readonly regions: RegionalPlatform[];
    /** What the stack exports (index.ts exports exactly this). */
    readonly stackOutputs: Record<string, pulumi.Input<unknown>>;

    constructor(name: string, args: PlatformArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:index:Platform", name, {}, opts);
        const { config } = args;
        const tags = requiredTags(config);

        this.regions = config.regions.map((regionConfig) => {
            const regionName = `${name}-${regionConfig.region}`;
            const provider = new aws.Provider(`aws-${regionConfig.region}`, { region: regionConfig.region as aws.Region, defaultTags: { tags } }, { parent: this });
            const network = new Network(
                regionName,
                {
                    cidrBlock: regionConfig.cidrBlock,
                    azCount: config.network.azCount,
                    natGateways: config.network.natGateways,
                    flowLogRetentionDays: config.network.flowLogRetentionDays,
                },
                { parent: this, providers: { aws: provider } },
            );
            return { region: regionConfig.region, standby: regionConfig.standby, provider, network };
        });

        this.stackOutputs = {
            environment: config.environment,
            vpcIds: Object.fromEntries(this.regions.map((r) => [r.region, r.network.vpcId])),
        };
        this.registerOutputs(this.stackOutputs);
    }
}
