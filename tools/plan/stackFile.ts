/**
 * Reads `Pulumi.<stack>.yaml` the way the Pulumi CLI hands config to a program: structured
 * values as JSON text, `secure:` values as secret keys. Offline, a `secure:` value cannot be
 * decrypted, so it becomes a placeholder that only says the secret is set.
 */
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { CONFIG_NAMESPACE, ConfigError, type RawStackConfig } from "../../config/load";
import { REPO_ROOT } from "../../config/repoRoot";

export const PROJECT_NAME = "ops-platform";
export const ROOT = REPO_ROOT;

/** What the program sees in place of a secret it cannot decrypt offline. */
export const OFFLINE_SECRET_PLACEHOLDER = "offline-placeholder-secret";

export interface StackFile {
    /** Every config key with its namespace, as Pulumi passes it in PULUMI_CONFIG. */
    config: Record<string, string>;
    /** Namespaced keys that were `secure:` values. */
    secretKeys: string[];
}

export function stackFilePath(stack: string, dir = ROOT): string {
    return join(dir, `Pulumi.${stack}.yaml`);
}

export function readStackFile(stack: string, dir = ROOT): StackFile {
    const path = stackFilePath(stack, dir);
    if (!existsSync(path)) throw new ConfigError(stack, [`${stack}: no stack file ${path}; expected one of Pulumi.dev.yaml, Pulumi.staging.yaml, Pulumi.production.yaml`]);
    let document: unknown;
    try {
        document = parse(readFileSync(path, "utf8"));
    } catch (error) {
        throw new ConfigError(stack, [`${stack}: ${path} is not valid YAML: ${(error as Error).message.split("\n")[0]}`]);
    }
    const entries = (document as { config?: Record<string, unknown> } | null)?.config ?? {};
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(entries)) {
        const fullKey = key.includes(":") ? key : `${PROJECT_NAME}:${key}`;
        if (isSecure(value)) {
            config[fullKey] = OFFLINE_SECRET_PLACEHOLDER;
            secretKeys.push(fullKey);
        } else if (value !== null && typeof value === "object") {
            if (containsSecure(value))
                throw new ConfigError(stack, [`${stack}: ${fullKey}: holds a nested secure value; expected secrets as top-level keys (see config/schema.ts SECRET_KEYS)`]);
            config[fullKey] = JSON.stringify(value);
        } else {
            config[fullKey] = String(value);
        }
    }
    return { config, secretKeys };
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
    return { stack, values, secretKeys };
}
