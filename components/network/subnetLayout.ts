/**
 * Where each subnet of a VPC goes: pure, so the layout is tested without Pulumi.
 * Subnets are numbered by AZ index (never by AZ name) so that a change of AZ names or of
 * tags never renames, and so never replaces, a subnet.
 */
import { cidrSubnet } from "../../config/cidr";

export interface SubnetSpec {
    type: "public" | "private";
    /** 0-based index of the availability zone. */
    azIndex: number;
    cidrBlock: string;
}

/** Each AZ gets a public and a private /20 of a /16 (public from the bottom, private from the middle). */
const SUBNET_NEW_BITS = 4;
const PRIVATE_OFFSET = 8;

export function subnetLayout(vpcCidr: string, azCount: number): SubnetSpec[] {
    if (azCount < 1 || azCount > PRIVATE_OFFSET) throw new Error(`azCount ${azCount} is outside 1..${PRIVATE_OFFSET}`);
    const specs: SubnetSpec[] = [];
    for (let azIndex = 0; azIndex < azCount; azIndex++) {
        specs.push({ type: "public", azIndex, cidrBlock: cidrSubnet(vpcCidr, SUBNET_NEW_BITS, azIndex) });
        specs.push({ type: "private", azIndex, cidrBlock: cidrSubnet(vpcCidr, SUBNET_NEW_BITS, PRIVATE_OFFSET + azIndex) });
    }
    return specs;
}

/** Which NAT gateway (by AZ index) serves the private subnet of an AZ. */
export function natGatewayFor(azIndex: number, mode: "perAz" | "single"): number {
    return mode === "perAz" ? azIndex : 0;
}

/** `${vpcName}-${type}-${azNumber}`, awsx's scheme: AZ numbers start at 1. */
export function subnetName(vpcName: string, spec: Pick<SubnetSpec, "type" | "azIndex">): string {
    return `${vpcName}-${spec.type}-${spec.azIndex + 1}`;
}
