import { input, ofType, planOf, STACKS } from "../helpers/plan";

describe.each([
    ["dev", 2, 1],
    ["staging", 2, 1],
    ["production", 3, 3],
] as const)("network of %s", (stack, azs, nats) => {
    it(`spans ${azs} AZs with a public and a private subnet each and ${nats} NAT gateway(s) per region`, async () => {
        const { resources, config } = await planOf(stack);
        for (const { region } of config.regions) {
            const inRegion = resources.filter(
                (r) => r.urn.endsWith(`ops-platform-${stack}-${region}`) || r.name.startsWith(`ops-platform-${stack}-${region}-`),
            );
            const subnets = ofType(inRegion, "aws:ec2/subnet:Subnet");
            expect(subnets.filter((s) => input(s, "tags.SubnetType") === "public")).toHaveLength(azs);
            expect(subnets.filter((s) => input(s, "tags.SubnetType") === "private")).toHaveLength(azs);
            expect(new Set(subnets.map((s) => input(s, "availabilityZone"))).size).toBe(azs);
            expect(ofType(inRegion, "aws:ec2/natGateway:NatGateway")).toHaveLength(nats);
            expect(ofType(inRegion, "aws:ec2/flowLog:FlowLog").map((f) => input(f, "trafficType"))).toEqual(["ALL"]);
        }
    });
});

it.each(STACKS)("%s routes every private subnet through a NAT gateway, never the internet gateway", async (stack) => {
    const { resources } = await planOf(stack);
    const privateTables = ofType(resources, "aws:ec2/routeTable:RouteTable").filter((r) => r.name.includes("-private-"));
    expect(privateTables.length).toBeGreaterThan(0);
    for (const table of privateTables) {
        const routes = input(table, "routes") as Array<Record<string, string>>;
        expect(routes.every((r) => r["natGatewayId"] && !r["gatewayId"])).toBe(true);
    }
});
