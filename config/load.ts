/**
 * Turns the raw `ops-platform:` config of a stack into typed, validated config, or one error
 * that lists every problem as `<stack>: ops-platform:<key path>: <what is wrong, what is expected>`.
 */
import { closest, distance } from "fastest-levenshtein";
import { z } from "zod";
import { CROSS_FIELD_CHECKS, type Problem } from "./rules";
import { STACK_NAMES } from "../policies/lib/environments";
import { CONFIG_SECTIONS, RETIRED_KEYS, SECRET_KEYS, platformConfigSchema, type ConfigSection, type ParsedConfig } from "./schema";
import { markResolved } from "./sections";

export const CONFIG_NAMESPACE = "ops-platform";

/** Bad config: the message is the full, user-facing list of problems (no stack trace needed). */
export class ConfigError extends Error {
    constructor(
        readonly stackName: string,
        readonly problems: readonly string[],
    ) {
        super(problems.join("\n"));
        this.name = "ConfigError";
    }
}

/** The raw config of one stack: key (without namespace) -> value as Pulumi stores it. */
export interface RawStackConfig {
    stack: string;
    values: Record<string, string>;
    /** Keys (without namespace) whose value came from a `secure:` entry. */
    secretKeys: ReadonlySet<string>;
    /** Keys of other namespaces (`aws:region`, ...): checked for a misspelt `ops-platform`. */
    otherKeys?: readonly string[];
    /** Problems the stack file itself has (sizes, empty secure values), reported with the rest. */
    problems?: readonly string[];
}

const MAX_RAW_VALUE_CHARS = 256 * 1024;

/** Namespaces other than ours that a stack file may set: the providers' own config. */
const PROVIDER_NAMESPACES = ["aws", "cloudflare", "kubernetes", "random", "pulumi"];

/**
 * Config already validated in this process, by its raw form: the plan checks the stack file
 * before the SDK loads, and the program (index.ts) reads the same config again; it is validated
 * once, and frozen.
 */
const validated = new Map<string, ParsedConfig>();

/** Validates a stack's raw config: the schema, then every cross-field and section rule; throws ConfigError listing every problem. */
export function validateConfig(raw: RawStackConfig): ParsedConfig {
    const key = JSON.stringify([raw.stack, raw.values, [...raw.secretKeys].sort(), raw.otherKeys ?? [], raw.problems ?? []]);
    const known = validated.get(key);
    if (known) return known;
    // Frozen: the memo, the program and every component share it, so nothing may change it.
    const parsed = deepFreeze(parseConfig(raw));
    // Each section is checked: a component handed one does not parse it again (config/sections.ts).
    for (const section of Object.keys(CONFIG_SECTIONS) as ConfigSection[]) markResolved(parsed[section]);
    validated.set(key, parsed);
    return parsed;
}

function deepFreeze<T>(value: T): T {
    if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
        for (const v of Object.values(value)) deepFreeze(v);
        Object.freeze(value);
    }
    return value;
}

function parseConfig(raw: RawStackConfig): ParsedConfig {
    const input: Record<string, unknown> = {};
    const problems: Problem[] = [...namespaceProblems(raw.otherKeys ?? []), ...secureProblems(raw.secretKeys)];
    for (const [key, value] of Object.entries(raw.values)) {
        // Bounded before it is parsed: a settings value this large is a mistake, not a setting.
        if (value.length > MAX_RAW_VALUE_CHARS)
            problems.push({ path: key, message: `is ${value.length} characters; expected at most ${MAX_RAW_VALUE_CHARS}` });
        else input[key] = decodeValue(key, value);
    }

    const parsed = platformConfigSchema.safeParse(input);
    if (!parsed.success) problems.push(...parsed.error.issues.flatMap((issue) => describeIssue(issue, input)));
    // Cross-field rules run even when some keys are invalid: on the valid keys, the invalid
    // ones at their defaults, reporting only what does not involve an invalid key.
    const bad = new Set(parsed.success ? [] : parsed.error.issues.map((i) => String(i.path[0] ?? "")));
    const checkable = parsed.success
        ? parsed
        : platformConfigSchema.safeParse({
              ...Object.fromEntries(Object.entries(input).filter(([k]) => !bad.has(k))),
              ...standIns(bad, raw.stack),
          });
    if (checkable.success) {
        for (const check of CROSS_FIELD_CHECKS)
            problems.push(
                ...check(checkable.data, { stack: raw.stack, secretKeys: raw.secretKeys }).filter(
                    (p) => !bad.has(p.path.split(/[.[]/)[0]!),
                ),
            );
    }
    const fileProblems = raw.problems ?? [];
    if (problems.length > 0 || fileProblems.length > 0 || !parsed.success) {
        throw new ConfigError(raw.stack, [
            ...fileProblems,
            ...problems.map((p) => `${raw.stack}: ${p.path.includes(":") ? "" : `${CONFIG_NAMESPACE}:`}${p.path}: ${p.message}`),
        ]);
    }
    return parsed.data;
}

/** Valid stand-ins for required keys that are invalid, so the cross-field rules can run on the rest. */
function standIns(bad: ReadonlySet<string>, stack: string): Record<string, unknown> {
    const hex = "0".repeat(32);
    const all: Record<string, unknown> = {
        environment: (STACK_NAMES as readonly string[]).includes(stack) ? stack : "dev",
        owner: "unknown",
        costCenter: "unknown",
        cloudflare: { accountId: hex, zoneId: hex, zoneName: "example.com" },
        awsAccountIds: ["000000000000"],
    };
    return Object.fromEntries(Object.entries(all).filter(([key]) => bad.has(key)));
}

/** A key under a namespace that is ours misspelt (`ops-platfrom:`, `Ops-platform:`) would be ignored: an error. */
function namespaceProblems(otherKeys: readonly string[]): Problem[] {
    return otherKeys.flatMap((key) => {
        const namespace = key.split(":")[0]!;
        if (PROVIDER_NAMESPACES.includes(namespace)) return [];
        const nearOurs = namespace.toLowerCase() === CONFIG_NAMESPACE || distance(namespace.toLowerCase(), CONFIG_NAMESPACE) <= 3;
        const suggestion = nearOurs
            ? `did you mean "${CONFIG_NAMESPACE}:${key.slice(namespace.length + 1)}"?`
            : `expected ${CONFIG_NAMESPACE}: or a provider's namespace (${PROVIDER_NAMESPACES.join(", ")})`;
        return [{ path: key, message: `unknown namespace "${namespace}", so the key would be ignored; ${suggestion}` }];
    });
}

/** `secure:` belongs to the secret keys only: anywhere else the program would read a ciphertext as the setting. */
function secureProblems(secretKeys: ReadonlySet<string>): Problem[] {
    return [...secretKeys]
        .filter((k) => !(SECRET_KEYS as readonly string[]).includes(k))
        .map((key) => ({
            path: key,
            message: `is a \`secure:\` value but not a secret; expected plain text (the secrets are ${SECRET_KEYS.join(", ")})`,
        }));
}

/**
 * Pulumi stores structured config as JSON text and scalars as plain text (`false`, `3`), so
 * a top-level scalar is read as the type its schema expects.
 */
function decodeValue(key: string, value: string): unknown {
    const schema = unwrap(platformConfigSchema.shape[key as keyof typeof platformConfigSchema.shape] as z.ZodType | undefined);
    if (schema instanceof z.ZodBoolean && (value === "true" || value === "false")) return value === "true";
    if (schema instanceof z.ZodNumber && value.trim() !== "" && !Number.isNaN(Number(value))) return Number(value);
    const trimmed = value.trim();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
        try {
            return JSON.parse(trimmed);
        } catch {
            return value;
        }
    }
    return value;
}

function formatPath(path: readonly PropertyKey[]): string {
    return path.map((segment, i) => (typeof segment === "number" ? `[${segment}]` : `${i === 0 ? "" : "."}${String(segment)}`)).join("");
}

/**
 * Shapes of credentials (OpenAI, Anthropic, Slack, GitHub, AWS keys, Cloudflare's account and
 * user API tokens `cfat_`/`cfut_`, long opaque tokens): never echoed back.
 */
const CREDENTIAL =
    /^(sk-|sk_|xox[abp]-|ghp_|gho_|AKIA|ASIA|cf[au]t_|Bearer\s)|^[A-Za-z0-9_-]{32,}$|https:\/\/hooks\.slack\.com\/services\//;

function describeValue(value: unknown): string {
    if (value === undefined) return "missing";
    if (typeof value === "string" && CREDENTIAL.test(value.trim())) return "a value that looks like a credential (not shown)";
    if (Array.isArray(value)) return "a list";
    if (value === null) return "null";
    if (typeof value === "object") return "an object";
    return `${typeof value} ${JSON.stringify(value)}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
    return path.reduce<unknown>(
        (v, key) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[key] : undefined),
        input,
    );
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): Problem[] {
    if (issue.code === "unrecognized_keys") {
        const known = knownKeysAt(platformConfigSchema, issue.path);
        return issue.keys.map((key) => {
            const retired = RETIRED_KEYS[formatPath([...issue.path, key])];
            if (retired) return { path: formatPath([...issue.path, key]), message: `no longer read: ${retired}; remove it` };
            const suggestion = known.length > 0 ? closest(key, known) : undefined;
            const hint = suggestion ? `did you mean "${suggestion}"?` : "remove it";
            return { path: formatPath([...issue.path, key]), message: `unknown key; ${hint} (known keys: ${known.join(", ")})` };
        });
    }
    const actual = valueAt(input, issue.path);
    const path = formatPath(issue.path) || "(root)";
    if (actual === undefined && issue.code === "invalid_type") return [{ path, message: `missing; expected ${issue.expected}` }];
    switch (issue.code) {
        case "invalid_type":
            return [{ path, message: `${describeValue(actual)} is not valid; expected ${issue.expected}` }];
        case "invalid_value":
            return [
                {
                    path,
                    message: `${describeValue(actual)} is not allowed; expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`,
                },
            ];
        case "too_small":
        case "too_big":
            return [{ path, message: `${describeValue(actual)}: ${issue.message.replace(/^Too (small|big): /, "")}` }];
        default:
            return [{ path, message: `${describeValue(actual)}: ${issue.message}` }];
    }
}

/** The keys an object schema accepts at `path`, for "did you mean" suggestions. */
function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
    let current: z.ZodType | undefined = unwrap(schema);
    for (const segment of path) {
        if (!current) return [];
        if (current instanceof z.ZodObject) current = unwrap(current.shape[String(segment)] as z.ZodType | undefined);
        else if (current instanceof z.ZodArray) current = unwrap(current.element as z.ZodType);
        else if (current instanceof z.ZodRecord) current = unwrap(current.valueType as z.ZodType);
        else return [];
    }
    return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
    let s = schema;
    while (s && (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional)) {
        s = s.unwrap() as z.ZodType;
    }
    return s;
}
