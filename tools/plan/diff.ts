/**
 * What changed between two plan documents, input by input: added, deleted, replaced (with the
 * input that forces it) and updated resources, the replacements' knock-on changes, and the
 * changes `ignoreChanges` keeps out of an update.
 */
import { LIVE_AFTER_DELETE, isStateful } from "../../policies/lib/resourceCatalogue";
import type { PlanDocument } from "./document";
import { FORCE_NEW } from "./forceNew";

type Resource = PlanDocument["resources"][number];

export interface PropertyChange {
    path: string;
    before: unknown;
    after: unknown;
}

export interface ResourceChange {
    urn: string;
    type: string;
    name: string;
    kind: "add" | "delete" | "replace" | "update";
    /** Input changes; for a replace, `replaceKeys` says which of them force it. */
    changes: PropertyChange[];
    replaceKeys: string[];
    stateful: boolean;
    protected: boolean;
    /** The Platform's child this resource belongs to (network, fleet, backup, edge, monitoring). */
    component: string;
    /** Replaced resources whose new id or outputs flow into this one's inputs: why it changes although its code did not. */
    causedBy?: string[];
    /** What a delete or replacement leaves running (LIVE_AFTER_DELETE). */
    leavesBehind?: string;
}

/** A resource whose inputs differ only where its `ignoreChanges` option says `pulumi up` keeps the live value. */
export interface IgnoredChange {
    urn: string;
    type: string;
    name: string;
    changes: PropertyChange[];
}

/** How a removed `protect` option shows among a resource's changes. */
export const PROTECT_PATH = "(protect)";

/** For types the table does not know (an audit of another program's export): a changed name replaces. */
const NAME_KEYS = ["name", "bucket", "title", "metadata.name", "metadata.namespace"];
/** Immutable resources: any input change is a new resource. */
const IMMUTABLE = new Set(["cloudflare:index/workerVersion:WorkerVersion"]);

/** The fields that name an array element: a binding's or a group's `name`, an alert rule's `alert` or `record`, a backup rule's `ruleName`. */
const NAME_FIELDS = ["name", "alert", "record", "ruleName"];

const nameOf = (v: unknown): string | undefined => {
    if (v === null || typeof v !== "object") return undefined;
    const field = NAME_FIELDS.find((f) => typeof (v as Record<string, unknown>)[f] === "string");
    return field === undefined ? undefined : (v as Record<string, string>)[field];
};

const isObjectList = (value: unknown): value is unknown[] =>
    Array.isArray(value) && value.length > 0 && value.some((v) => v !== null && typeof v === "object");

/** Whether every element of a list has a distinct name that can stand in a path. */
function uniquelyNamed(list: readonly unknown[]): boolean {
    const names = list.map(nameOf);
    return names.every((n) => n !== undefined && /^[^[\]]+$/.test(n)) && new Set(names).size === names.length;
}

/**
 * The lists (by their path, elements as `[]`) that cannot be named on one side or the other:
 * both sides of a diff name a list's elements the same way, by name or by position.
 */
function positionalLists(value: unknown, prefix: string, out: Set<string>): Set<string> {
    if (isObjectList(value)) {
        if (!uniquelyNamed(value)) out.add(prefix);
        for (const v of value) positionalLists(v, `${prefix}[]`, out);
    } else if (value !== null && typeof value === "object")
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) positionalLists(v, prefix ? `${prefix}.${k}` : k, out);
    return out;
}

/**
 * Flat `path -> value` of inputs. List elements are named by their name where both sides name
 * every element distinctly (`bindings[RATE_LIMIT_MAX_REQUESTS].text`, `rules[EndpointDown].expr`),
 * else by position; a named list's order is its own entry, `bindings (order)`.
 */
function flatten(
    value: unknown,
    positional: ReadonlySet<string>,
    prefix = "",
    template = "",
    out: Record<string, unknown> = {},
): Record<string, unknown> {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        const entries = Object.entries(value as Record<string, unknown>);
        if (entries.length === 0 && prefix) out[prefix] = {};
        for (const [k, v] of entries) flatten(v, positional, prefix ? `${prefix}.${k}` : k, template ? `${template}.${k}` : k, out);
    } else if (isObjectList(value)) {
        const named = !positional.has(template);
        if (named) out[`${prefix} (order)`] = value.map(nameOf);
        value.forEach((v, i) => flatten(v, positional, `${prefix}[${named ? nameOf(v)! : i}]`, `${template}[]`, out));
    } else if (prefix) out[prefix] = value;
    return out;
}

/**
 * Whether `path` is under one of Pulumi's `ignoreChanges` paths (`tags.Name`, `items[*].x`,
 * `spec["a.b"]`, `rules[0].expr`). `[*]` is any element; `[n]` is element n, which a path names
 * by position only where its list is not named, so a named element is never ignored by number.
 */
export function isIgnored(path: string, ignoreChanges: readonly string[] = []): boolean {
    const tokens = (text: string) => text.replace(/\["([^"]*)"\]/g, ".$1").match(/[^.[\]]+|\[[^\]]*\]/g) ?? [];
    const got = tokens(path);
    return ignoreChanges.some((ignore) => {
        const want = tokens(ignore);
        return want.length <= got.length && want.every((t, i) => t === got[i] || (t === "[*]" && got[i]!.startsWith("[")));
    });
}

/** A value as a reviewer reads it: JSON, and "unset" where there is none. */
export function shown(value: unknown): string {
    return value === undefined ? "unset" : JSON.stringify(value);
}

function jsonDocument(value: unknown): unknown {
    if (typeof value !== "string" || !/^\s*[[{]/.test(value)) return undefined;
    try {
        return JSON.parse(value) as unknown;
    } catch {
        return undefined;
    }
}

/**
 * Property changes as a reviewer reads them: a JSON document held in a string (an IAM, vault or
 * bucket policy) by the keys that changed inside it, not as two long strings.
 */
export function readableChanges(changes: readonly PropertyChange[]): PropertyChange[] {
    return changes.flatMap((c) => {
        const before = jsonDocument(c.before);
        const after = jsonDocument(c.after);
        if (before === undefined || after === undefined) return [c];
        const inner = propertyChanges({ $: before }, { $: after });
        return inner.length === 0
            ? [c]
            : inner.map((p) => ({ path: `${c.path} ${p.path.replace(/^\$\.?/, "")}`, before: p.before, after: p.after }));
    });
}

function propertyChanges(before: Record<string, unknown>, after: Record<string, unknown>): PropertyChange[] {
    const positional = positionalLists(after, "", positionalLists(before, "", new Set()));
    const a = flatten(before, positional);
    const b = flatten(after, positional);
    const sameNames = (x: unknown, y: unknown) =>
        Array.isArray(x) && Array.isArray(y) && x.length === y.length && [...x].sort().join("\0") === [...y].sort().join("\0");
    return (
        [...new Set([...Object.keys(a), ...Object.keys(b)])]
            .sort()
            .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
            // A list's order is a change of its own only when its elements are the same ones.
            .filter((k) => !k.endsWith(" (order)") || sameNames(a[k], b[k]))
            .map((path) => ({ path, before: a[path], after: b[path] }))
    );
}

function replaceKeysOf(type: string, changes: PropertyChange[]): string[] {
    if (IMMUTABLE.has(type)) return changes.map((c) => c.path);
    const keys = FORCE_NEW[type]?.keys ?? NAME_KEYS;
    // `conditions[0].stringEquals[1].key` is under the force-new `conditions.stringEquals`.
    const forced = (path: string) => {
        const p = path.replace(/ \(order\)$/, "").replace(/\[[^\]]*\]/g, "");
        return keys.some((k) => p === k || p.startsWith(`${k}.`));
    };
    return changes.map((c) => c.path).filter(forced);
}

/** The areas componentOf names: the Platform's children, and the providers beside them. */
export const PLATFORM_AREAS = ["backup", "edge", "fleet", "monitoring", "network", "providers"] as const;

/** The Platform child a resource sits under, by walking its parents. */
export function componentOf(resource: Resource, byUrn: Map<string, Resource>): string {
    let current: Resource | undefined = resource;
    while (current?.parent) {
        const parent = byUrn.get(current.parent);
        if (!parent) break;
        if (parent.type === "ops-platform:index:Platform")
            return current.type.startsWith("ops-platform:") ? current.type.split(":")[1]! : "providers";
        current = parent;
    }
    return current?.type.startsWith("ops-platform:") ? current.type.split(":")[1]! : "stack";
}

/** The changes `pulumi up` would make, and those `ignoreChanges` keeps it from making (listed, never scored). */
export function planDiff(baseline: PlanDocument, current: PlanDocument): { changes: ResourceChange[]; ignored: IgnoredChange[] } {
    const before = new Map(baseline.resources.map((r) => [r.urn, r]));
    const after = new Map(current.resources.map((r) => [r.urn, r]));
    const changes: ResourceChange[] = [];
    const ignored: IgnoredChange[] = [];
    const describe = (
        r: Resource,
        byUrn: Map<string, Resource>,
        kind: ResourceChange["kind"],
        props: PropertyChange[],
        replaceKeys: string[],
    ): ResourceChange => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        kind,
        changes: props,
        replaceKeys,
        stateful: isStateful(r.type),
        protected: Boolean(r.options.protect),
        component: componentOf(r, byUrn),
        ...((kind === "delete" || kind === "replace") && LIVE_AFTER_DELETE[r.type] ? { leavesBehind: LIVE_AFTER_DELETE[r.type] } : {}),
    });
    for (const [urn, r] of after) {
        const old = before.get(urn);
        if (!old) {
            changes.push(describe(r, after, "add", propertyChanges({}, r.inputs), []));
            continue;
        }
        // An update keeps the live value of an ignored input; only a new resource takes the program's.
        const all = propertyChanges(old.inputs, r.inputs);
        const kept = all.filter((c) => isIgnored(c.path, r.options.ignoreChanges));
        if (kept.length > 0) ignored.push({ urn, type: r.type, name: r.name, changes: kept });
        const props = [
            ...all.filter((c) => !kept.includes(c)),
            ...(old.options.protect && !r.options.protect ? [{ path: PROTECT_PATH, before: true, after: false }] : []),
        ];
        if (props.length === 0) continue;
        const replaceKeys = replaceKeysOf(r.type, props);
        changes.push(describe(r, after, replaceKeys.length > 0 ? "replace" : "update", props, replaceKeys));
    }
    for (const [urn, r] of before) if (!after.has(urn)) changes.push(describe(r, before, "delete", propertyChanges(r.inputs, {}), []));
    cascadeReplacements(changes, after, describe);
    return { changes: changes.sort((a, b) => a.urn.localeCompare(b.urn)), ignored: ignored.sort((a, b) => a.urn.localeCompare(b.urn)) };
}

/**
 * A replaced resource gets a new id (and new outputs), so every input that takes one of them
 * changes as well, although the mocks gave it the same value: the dependent is updated, or
 * replaced where that input forces a new resource, and so on down the chain. Which input takes
 * what is the capture's property dependencies.
 */
function cascadeReplacements(
    changes: ResourceChange[],
    after: Map<string, Resource>,
    describe: (
        r: Resource,
        byUrn: Map<string, Resource>,
        kind: ResourceChange["kind"],
        props: PropertyChange[],
        replaceKeys: string[],
    ) => ResourceChange,
): void {
    const byUrn = new Map(changes.map((c) => [c.urn, c]));
    const replaced = changes.filter((c) => c.kind === "replace").map((c) => c.urn);
    for (let i = 0; i < replaced.length; i++) {
        const source = replaced[i]!;
        for (const r of after.values()) {
            const keys = Object.entries(r.options.propertyDependencies ?? {})
                .filter(([, urns]) => urns.includes(source))
                .map(([key]) => key);
            if (keys.length === 0) continue;
            const existing = byUrn.get(r.urn);
            if (existing?.kind === "add" || existing?.kind === "delete") continue;
            const cascaded = keys.filter(
                (k) => !existing?.changes.some((c) => c.path === k || c.path.startsWith(`${k}.`) || c.path.startsWith(`${k}[`)),
            );
            const props = [
                ...(existing?.changes ?? []),
                ...cascaded.map((k) => ({
                    path: k,
                    before: r.inputs[k],
                    after: `(new, from the replaced ${after.get(source)?.name ?? source})`,
                })),
            ];
            const replaceKeys = [
                ...new Set([
                    ...(existing?.replaceKeys ?? []),
                    ...replaceKeysOf(
                        r.type,
                        cascaded.map((path) => ({ path, before: undefined, after: undefined })),
                    ),
                ]),
            ];
            const change = {
                ...describe(r, after, replaceKeys.length > 0 ? "replace" : "update", props, replaceKeys),
                causedBy: [...new Set([...(existing?.causedBy ?? []), source])],
            };
            if (existing) changes.splice(changes.indexOf(existing), 1, change);
            else changes.push(change);
            byUrn.set(r.urn, change);
            if (change.kind === "replace" && existing?.kind !== "replace" && !replaced.includes(r.urn)) replaced.push(r.urn);
        }
    }
}
