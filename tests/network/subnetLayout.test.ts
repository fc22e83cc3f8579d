import { cidrContains, cidrSubnet, parseCidr } from "../../config/cidr";
import { natGatewayFor, subnetLayout, subnetName } from "../../components/network/subnetLayout";

describe("cidrSubnet", () => {
    it.each([
        ["10.0.0.0/16", 4, 0, "10.0.0.0/20"],
        ["10.0.0.0/16", 4, 1, "10.0.16.0/20"],
        ["10.0.0.0/16", 4, 8, "10.0.128.0/20"],
        ["10.1.0.0/16", 8, 255, "10.1.255.0/24"],
    ])("%s + %d bits, #%d = %s", (parent, bits, index, expected) => {
        expect(cidrSubnet(parent, bits, index)).toBe(expected);
    });

    it("refuses a subnet that does not fit", () => {
        expect(() => cidrSubnet("10.0.0.0/16", 4, 16)).toThrow(/has no subnet 16/);
    });
});

describe("subnetLayout", () => {
    it.each([1, 2, 3, 6])("gives %d AZs disjoint public and private subnets inside the VPC", (azCount) => {
        const layout = subnetLayout("10.0.0.0/16", azCount);
        expect(layout).toHaveLength(azCount * 2);
        const vpc = parseCidr("10.0.0.0/16")!;
        const blocks = layout.map((s) => parseCidr(s.cidrBlock)!);
        blocks.forEach((b, i) => {
            expect(cidrContains(vpc, b)).toBe(true);
            blocks.slice(i + 1).forEach((other) => expect(cidrContains(b, other) || cidrContains(other, b)).toBe(false));
        });
    });

    it("keeps existing subnets where they are when AZs are added", () => {
        const two = subnetLayout("10.0.0.0/16", 2);
        const three = subnetLayout("10.0.0.0/16", 3);
        expect(three.filter((s) => s.azIndex < 2)).toEqual(two);
    });

    it("names subnets by AZ number, never by AZ name", () => {
        expect(subnetName("vpc", { type: "private", azIndex: 0 })).toBe("vpc-private-1");
    });

    it("routes every AZ through the first NAT in single mode", () => {
        expect([0, 1, 2].map((i) => natGatewayFor(i, "single"))).toEqual([0, 0, 0]);
        expect([0, 1, 2].map((i) => natGatewayFor(i, "perAz"))).toEqual([0, 1, 2]);
    });
});
