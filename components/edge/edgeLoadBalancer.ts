import * as cloudflare from "../cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { type SectionInput } from "../../config/schema";
import { sectionSettings } from "../../config/sections";

export interface EdgeOrigin {
    /** AWS region of the origin; names its pool. */
    region: string;
    /** DNS name of that region's load balancer. */
    address: pulumi.Input<string>;
}

export interface EdgeLoadBalancerArgs {
    accountId: string;
    zoneId: string;
    /** Public hostname the load balancer answers for (and the Host its probes send). Required. */
    hostname: string;
    /** Prefix of pool names (`<service>-<environment>`). Required. */
    namePrefix: string;
    /** Origins in failover order: the first serves, the last is the fallback. Required, at least one. */
    origins: EdgeOrigin[];
    /** The `ops-platform:edge` section: its `loadBalancer` monitor settings. Optional; defaults in config/schema.ts. */
    settings?: SectionInput<"edge">;
}

/**
 * A Cloudflare load balancer over origins in failover order: an HTTPS monitor of /health, one
 * pool per origin, the last pool as the fallback.
 */
export class EdgeLoadBalancer extends pulumi.ComponentResource {
    readonly poolIds: pulumi.Output<string>[];

    constructor(name: string, args: EdgeLoadBalancerArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:edge:EdgeLoadBalancer", name, {}, opts);
        if (args.origins.length === 0) throw new Error(`${name}: at least one origin is required`);
        const { accountId, hostname, namePrefix } = args;
        const lb = sectionSettings("edge", args.settings, name).loadBalancer;
        const monitor = new cloudflare.LoadBalancerMonitor(
            `${name}-health`,
            {
                accountId,
                description: `${namePrefix} /health`,
                type: "https",
                method: "GET",
                path: "/health",
                expectedCodes: "200",
                interval: lb.monitorIntervalSeconds,
                retries: lb.monitorRetries,
                timeout: lb.monitorTimeoutSeconds,
                consecutiveDown: lb.consecutiveDown,
                consecutiveUp: lb.consecutiveUp,
                followRedirects: false,
                allowInsecure: false,
                header: { Host: [hostname] },
            },
            { parent: this },
        );
        const pools = args.origins.map(
            (origin) =>
                new cloudflare.LoadBalancerPool(
                    `${name}-${origin.region}`,
                    {
                        accountId,
                        name: `${namePrefix}-${origin.region}`,
                        description: `${origin.region} application load balancer`,
                        origins: [
                            { name: origin.region, address: origin.address, enabled: true, weight: 1, header: { hosts: [hostname] } },
                        ],
                        monitor: monitor.id,
                        minimumOrigins: 1,
                    },
                    { parent: monitor },
                ),
        );
        new cloudflare.LoadBalancer(
            name,
            {
                zoneId: args.zoneId,
                name: hostname,
                description: `${namePrefix}: failover across ${args.origins.map((o) => o.region).join(" -> ")}`,
                defaultPools: pools.map((p) => p.id),
                fallbackPool: pools[pools.length - 1]!.id,
                steeringPolicy: "off",
                proxied: true,
                sessionAffinity: "none",
            },
            { parent: this },
        );
        this.poolIds = pools.map((p) => p.id);
        this.registerOutputs({ poolIds: this.poolIds });
    }
}
