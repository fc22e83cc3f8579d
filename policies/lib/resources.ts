/** Reading resources the same way whichever tool captured them. */
import { SECRET, UNKNOWN, type PolicyResource, type RuleContext } from "../engine";
import { effectiveTags } from "./tags";

/** How every caller writes a secret and a value unknown until deploy (policies/engine.ts). */
export { SECRET, UNKNOWN } from "../engine";

export function isUnknown(value: unknown): boolean {
    return value === UNKNOWN;
}

/** A string in the clear: neither a Pulumi secret nor a value not known until apply. */
export function isPlainString(value: unknown): value is string {
    return typeof value === "string" && value !== SECRET && !isUnknown(value);
}

/** `get(r.inputs, "metadataOptions.httpTokens")` */
export function get(value: unknown, path: string): unknown {
    return path
        .split(".")
        .reduce<unknown>((v, key) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined), value);
}

/** A list input: absent or unknown is empty; anything but a list is a malformed resource. */
export function asArray<T = Record<string, unknown>>(value: unknown): T[] {
    if (Array.isArray(value)) return value as T[];
    if (value === undefined || value === null || isUnknown(value)) return [];
    throw new TypeError(
        `expected a list, found ${typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value).slice(0, 40)}`}`,
    );
}

/** Where a resource type's ARN names it (`arn:aws:ec2:...:volume/...`), for a selection's NotResources. */
const ARN_OF_TYPE: Readonly<Record<string, { service: string; resource: string }>> = {
    "aws:ebs/volume:Volume": { service: "ec2", resource: "volume" },
};

/**
 * Whether a backup selection picks a resource of `type` with `tags`: any of its `selectionTags`
 * (STRINGEQUALS), or every `conditions` StringEquals of an entry (AWS ANDs conditions), unless
 * its `notResources` leave that type out.
 */
export function selectionMatches(selection: Record<string, unknown>, tags: Record<string, string | undefined>, type?: string): boolean {
    const arn = type ? ARN_OF_TYPE[type] : undefined;
    const left = (pattern: unknown) =>
        typeof pattern === "string" &&
        pattern.split(":")[2] === arn!.service &&
        (pattern.split(":")[5] ?? "").startsWith(`${arn!.resource}/`);
    if (arn && asArray(selection["notResources"]).some(left)) return false;
    const byTag = asArray<{ key: string; value: string; type?: string }>(selection["selectionTags"]).some(
        (t) => (t.type ?? "STRINGEQUALS") === "STRINGEQUALS" && tags[t.key] === t.value,
    );
    const byConditions = asArray(selection["conditions"]).some((c) => {
        const equals = asArray<{ key: string; value: string }>(get(c, "stringEquals"));
        return (
            equals.length > 0 &&
            equals.every((e) => e.key.startsWith("aws:ResourceTag/") && tags[e.key.slice("aws:ResourceTag/".length)] === e.value)
        );
    });
    return byTag || byConditions;
}

/** The stack a URN belongs to: `urn:pulumi:<stack>::<project>::...`. */
export function stackOfUrn(urn: string): string | undefined {
    return /^urn:pulumi:([^:]+)::/.exec(urn)?.[1];
}

/** A resource's environment: its Environment tag, else the stack it belongs to. */
function environmentOf(resource: PolicyResource, context: RuleContext): string {
    const tag = effectiveTags(resource.type, resource.inputs, resource.providerInputs)["Environment"];
    // An Environment tag unknown at preview says nothing; the stack does.
    return (tag !== undefined && !isUnknown(tag) ? tag : undefined) ?? stackOfUrn(resource.urn) ?? context.stack;
}

/** Whether a whole stack is production: the stack its URNs name, else the context's. */
export function stackIsProduction(resources: readonly PolicyResource[], context: RuleContext): boolean {
    const fromUrn = resources.map((r) => stackOfUrn(r.urn)).find(Boolean);
    return (fromUrn ?? context.stack) === "production";
}

export function isProduction(resource: PolicyResource, context: RuleContext): boolean {
    return environmentOf(resource, context) === "production";
}

/** Resources of `type` that depend on `target` (a lock on a vault, a listener on a load balancer). */
export function dependentsOf(resources: readonly PolicyResource[], target: PolicyResource, type: string): PolicyResource[] {
    return resources.filter(
        (r) =>
            r.type === type &&
            (r.dependencies.includes(target.urn) || Object.values(r.propertyDependencies).some((urns) => urns.includes(target.urn))),
    );
}

/**
 * Resources of `type` that refer to `target`: by a recorded dependency, or, where a program
 * gave names as literals and the export records none, by `key` naming the target's name or id.
 */
export function referringTo(resources: readonly PolicyResource[], target: PolicyResource, type: string, key: string): PolicyResource[] {
    const names = [target.inputs["name"], target.id].filter((n): n is string => typeof n === "string" && n !== "");
    return resources.filter(
        (r) => r.type === type && (dependentsOf([r], target, type).length > 0 || names.includes(r.inputs[key] as string)),
    );
}

export function ofType(resources: readonly PolicyResource[], ...types: string[]): PolicyResource[] {
    return resources.filter((r) => types.includes(r.type));
}

/** The AWS region of a resource: its provider's region. */
export function regionOf(resource: PolicyResource): string | undefined {
    const region = resource.providerInputs?.["region"] ?? resource.inputs["region"];
    return typeof region === "string" ? region : undefined;
}

/** The region inside an ARN (`arn:aws:backup:us-west-2:...`). */
export function regionOfArn(arn: unknown): string | undefined {
    return typeof arn === "string" ? arn.split(":")[3] || undefined : undefined;
}
