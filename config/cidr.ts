/** IPv4 CIDR arithmetic for subnet layout and config checks. */

export interface Cidr {
    /** Network address as an unsigned 32-bit integer. */
    base: number;
    prefix: number;
}

export function parseCidr(text: string): Cidr | undefined {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
    if (!m) return undefined;
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return undefined;
    const address = octets.reduce((acc, o) => acc * 256 + o, 0);
    const size = 2 ** (32 - prefix);
    return { base: address - (address % size), prefix };
}

/** What is wrong with a CIDR block, in words; undefined when it is a valid network address. */
export function cidrProblem(text: string): string | undefined {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
    if (!m) return "expected an IPv4 CIDR block such as 10.0.0.0/16";
    const big = m.slice(1, 5).find((o) => Number(o) > 255);
    if (big) return `octet ${big} is above 255; expected an IPv4 CIDR block such as 10.0.0.0/16`;
    if (Number(m[5]) > 32) return `prefix /${m[5]} is above /32; expected an IPv4 CIDR block such as 10.0.0.0/16`;
    const network = formatCidr(parseCidr(text)!);
    return network === text ? undefined : `has host bits set; expected the network address ${network}`;
}

function formatCidr({ base, prefix }: Cidr): string {
    const octets = [24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256);
    return `${octets.join(".")}/${prefix}`;
}

/** True when `inner` lies entirely inside `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
    if (inner.prefix < outer.prefix) return false;
    const size = 2 ** (32 - outer.prefix);
    return inner.base - (inner.base % size) === outer.base;
}

/** The `index`-th subnet of `parent` that is `newBits` longer, like Terraform's cidrsubnet. */
export function cidrSubnet(parent: string, newBits: number, index: number): string {
    const p = parseCidr(parent);
    if (!p) throw new Error(`not a CIDR block: ${parent}`);
    const prefix = p.prefix + newBits;
    if (prefix > 32 || index < 0 || index >= 2 ** newBits) throw new Error(`${parent} has no subnet ${index} of /${prefix}`);
    return formatCidr({ base: p.base + index * 2 ** (32 - prefix), prefix });
}
