/**
 * Pulumi's wire format as plans and audits read it: secrets, unknowns, resource references and
 * long content turned into reviewable marks. Pure: the audit reads exports without the SDK.
 */
import { createHash } from "node:crypto";
import { SECRET, UNKNOWN } from "../../policies/lib/resources";

/** Pulumi's wire signatures (sdk/nodejs/runtime/rpc.ts). */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";
const UNKNOWN_SIG = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Strings longer than this (bundles, dashboards) are shown by digest, so plans stay reviewable. */
const LONG_STRING = 4096;

/** Replaces secrets, unknowns, resource references and long content with reviewable marks. */
export function redact(value: unknown): unknown {
    if (value === UNKNOWN_SIG) return UNKNOWN;
    if (typeof value === "string") {
        return value.length > LONG_STRING
            ? `[content sha256:${createHash("sha256").update(value).digest("hex").slice(0, 16)}, ${value.length} chars]`
            : value;
    }
    if (Array.isArray(value)) return value.map(redact);
    if (value !== null && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        switch (obj[SIG_KEY]) {
            case SECRET_SIG:
                return SECRET;
            case RESOURCE_SIG:
                return String(obj["urn"]);
            case ASSET_SIG:
            case ARCHIVE_SIG:
                return `[asset ${String(obj["hash"] ?? obj["path"] ?? "inline")}]`;
        }
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(obj).sort()) out[key] = redact(obj[key]);
        return out;
    }
    return value;
}

/** A provider reference is `<urn>::<id>`; resources name their provider by URN. */
export function providerUrn(reference: string): string {
    return reference.split("::").slice(0, -1).join("::");
}
