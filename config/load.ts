/**
 * Turns the raw `ops-platform:` config of a stack into typed, validated config, or one error
 * that lists every problem as `<stack>: ops-platform:<key path>: <what is wrong, what is expected>`.
 */
import { closest } from "fastest-levenshtein";
import { z } from "zod";
import { CROSS_FIELD_CHECKS, type Problem } from "./rules";
import { platformConfigSchema, type ParsedConfig } from "./schema";

export const CONFIG_NAMESPACE = "ops-platform";

/** Bad config: the message is the full, user-facing list of problems (no stack trace needed). */
export class ConfigError extends Error {
    constructor(readonly stackName: string, readonly problems: readonly string[]) {
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
}

export function validateConfig(raw: RawStackConfig): ParsedConfig {
    const input: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw.values)) input[key] = decodeValue(key, value);

    const parsed = platformConfigSchema.safeParse(input);
    const problems: Problem[] = parsed.success ? [] : parsed.error.issues.flatMap((issue) => describeIssue(issue, input));
    if (parsed.success) {
        for (const check of CROSS_FIELD_CHECKS) problems.push(...check(parsed.data, { stack: raw.stack, secretKeys: raw.secretKeys }));
    }
    if (problems.length > 0 || !parsed.success) {
        throw new ConfigError(raw.stack, problems.map((p) => `${raw.stack}: ${CONFIG_NAMESPACE}:${p.path}: ${p.message}`));
    }
    return parsed.data;
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
    return path
        .map((segment, i) => (typeof segment === "number" ? `[${segment}]` : `${i === 0 ? "" : "."}${String(segment)}`))
        .join("");
}

function describeValue(value: unknown): string {
    if (value === undefined) return "missing";
    if (Array.isArray(value)) return "a list";
    if (value === null) return "null";
    if (typeof value === "object") return "an object";
    return `${typeof value} ${JSON.stringify(value)}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
    return path.reduce<unknown>((v, key) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[key] : undefined), input);
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): Problem[] {
    if (issue.code === "unrecognized_keys") {
        const known = knownKeysAt(platformConfigSchema, issue.path);
        return issue.keys.map((key) => {
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
            return [{ path, message: `${describeValue(actual)} is not allowed; expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}` }];
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
