/**
 * Reads `Pulumi.<stack>.yaml` the way the Pulumi CLI hands config to a program: structured
 * values as JSON text, `secure:` values as secret keys. Offline, a `secure:` value cannot be
 * decrypted, so it becomes a placeholder that only says the secret is set.
 */
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { CONFIG_NAMESPACE, ConfigError, validateConfig, type RawStackConfig } from "../../config/load";
import type { ParsedConfig } from "../../config/schema";
import { STACK_NAMES } from "../../policies/lib/environments";
import { REPO_ROOT } from "../../config/repoRoot";

export const PROJECT_NAME = "ops-platform";
export const ROOT = REPO_ROOT;

/** What the program sees in place of a secret it cannot decrypt offline. */
const OFFLINE_SECRET_PLACEHOLDER = "offline-placeholder-secret";

export interface StackFile {
    /** Every config key with its namespace, as Pulumi passes it in PULUMI_CONFIG. */
    config: Record<string, string>;
    /** Namespaced keys that were `secure:` values. */
    secretKeys: string[];
    /** What is wrong in the file itself (sizes, secure values), reported with the config's problems. */
    problems: string[];
}

function stackFilePath(stack: string, dir = ROOT): string {
    return join(dir, `Pulumi.${stack}.yaml`);
}

export function readStackFile(stack: string, dir = ROOT): StackFile {
    const path = stackFilePath(stack, dir);
    const fail = (message: string): never => {
        throw new ConfigError(stack, [`${stack}: ${path}: ${message}`]);
    };
    if (!existsSync(path))
        throw new ConfigError(stack, [
            `${stack}: no stack file ${path}; expected one of Pulumi.dev.yaml, Pulumi.staging.yaml, Pulumi.production.yaml`,
        ]);
    const text = readFileSync(path, "utf8");
    if (text.length > MAX_FILE_BYTES)
        fail(`is ${text.length} bytes; expected at most ${MAX_FILE_BYTES} (a stack file holds settings, not data)`);
    let document: unknown;
    try {
        document = parse(text, { maxAliasCount: 100 });
    } catch (error) {
        fail(`is not valid YAML: ${(error as Error).message.split("\n")[0]}`);
    }
    if (document === null || document === undefined)
        fail("is empty; expected a mapping with a `config:` key holding ops-platform:<key> entries");
    if (typeof document !== "object" || Array.isArray(document))
        fail(`is ${Array.isArray(document) ? "a list" : `a ${typeof document}`}; expected a mapping with a \`config:\` key`);
    const root = document as Record<string, unknown>;
    if (!("config" in root))
        fail(
            `has no \`config:\` key; expected \`config:\` holding ops-platform:<key> entries (found ${Object.keys(root).join(", ") || "nothing"})`,
        );
    const entries = root["config"] ?? {};
    if (typeof entries !== "object" || Array.isArray(entries))
        fail("`config:` is not a mapping; expected ops-platform:<key>: value entries");

    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    const problems: string[] = [];
    for (const [key, value] of Object.entries(entries as Record<string, unknown>)) {
        const fullKey = key.includes(":") ? key : `${PROJECT_NAME}:${key}`;
        const size = sizeProblem(value);
        if (size) {
            problems.push(`${fullKey}: ${size}`);
            continue;
        }
        if (isSecure(value)) {
            const secure = (value as { secure: unknown }).secure;
            if (typeof secure !== "string" || secure.trim() === "")
                problems.push(
                    `${fullKey}: \`secure:\` is empty; expected the ciphertext \`pulumi config set --secret ${fullKey} ...\` writes`,
                );
            config[fullKey] = OFFLINE_SECRET_PLACEHOLDER;
            secretKeys.push(fullKey);
        } else if (value !== null && typeof value === "object") {
            if (containsSecure(value))
                problems.push(
                    `${fullKey}: holds a nested secure value; expected secrets as top-level keys (see config/schema.ts SECRET_KEYS)`,
                );
            else config[fullKey] = JSON.stringify(value);
        } else {
            config[fullKey] = String(value);
        }
    }
    return { config, secretKeys, problems: problems.map((p) => `${stack}: ${p}`) };
}

/** A stack file holds settings: anything this large is a mistake, refused before it is read further. */
const MAX_FILE_BYTES = 1024 * 1024;
const MAX_VALUE_CHARS = 64 * 1024;
const MAX_LIST_ITEMS = 1000;

function sizeProblem(value: unknown): string | undefined {
    let nodes = 0;
    const walk = (v: unknown): string | undefined => {
        if (++nodes > 10 * MAX_LIST_ITEMS) return `holds more than ${10 * MAX_LIST_ITEMS} values; expected settings, not data`;
        if (typeof v === "string" && v.length > MAX_VALUE_CHARS)
            return `a text of ${v.length} characters; expected at most ${MAX_VALUE_CHARS}`;
        if (Array.isArray(v)) {
            if (v.length > MAX_LIST_ITEMS) return `a list of ${v.length} items; expected at most ${MAX_LIST_ITEMS}`;
            for (const item of v) {
                const p = walk(item);
                if (p) return p;
            }
        } else if (v !== null && typeof v === "object") {
            for (const item of Object.values(v)) {
                const p = walk(item);
                if (p) return p;
            }
        }
        return undefined;
    };
    return walk(value);
}

function isSecure(value: unknown): boolean {
    return value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value;
}

function containsSecure(value: unknown): boolean {
    if (isSecure(value)) return true;
    if (value !== null && typeof value === "object") return Object.values(value).some(containsSecure);
    return false;
}

/** The `ops-platform:` part of a stack's config, as config/load.ts validates it. */
export function rawPlatformConfig(stack: string, file: StackFile): RawStackConfig {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(file.config)) if (key.startsWith(prefix)) values[key.slice(prefix.length)] = value;
    const secretKeys = new Set(file.secretKeys.filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)));
    return { stack, values, secretKeys, otherKeys: Object.keys(file.config).filter((k) => !k.startsWith(prefix)), problems: file.problems };
}

/** A stack's validated config, read from its stack file in `dir`: what every tool that reads a stack's settings starts from. */
export function stackConfig(stack: string, dir = ROOT): ParsedConfig {
    return validateConfig(rawPlatformConfig(stack, readStackFile(stack, dir)));
}

/** Every stack's validated config, by stack name. */
export function everyStackConfig(): Record<string, ParsedConfig> {
    return Object.fromEntries(STACK_NAMES.map((stack) => [stack, stackConfig(stack)]));
}
