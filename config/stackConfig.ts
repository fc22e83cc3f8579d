/**
 * The validated config of the running stack, with secrets wrapped as Pulumi secrets.
 * This is the only module that reads Pulumi config; components receive typed values.
 */
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, ConfigError, validateConfig, type RawStackConfig } from "./load";
import { SECRET_KEYS, type ParsedConfig, type SecretKey } from "./schema";

export interface PlatformConfig extends Omit<ParsedConfig, SecretKey> {
    stack: string;
    project: string;
    /** Secret config values; never plain strings, so they stay secret in state and plans. */
    secrets: Partial<Record<SecretKey, pulumi.Output<string>>>;
}

/** Validates raw config and wraps its secrets; throws ConfigError listing every problem. */
export function toPlatformConfig(raw: RawStackConfig, project: string): PlatformConfig {
    const parsed = validateConfig(raw);
    const secrets: PlatformConfig["secrets"] = {};
    const plain: Record<string, unknown> = { ...parsed };
    for (const key of SECRET_KEYS) {
        const value = parsed[key];
        delete plain[key];
        if (value !== undefined) secrets[key] = pulumi.secret(value);
    }
    return { ...(plain as Omit<ParsedConfig, SecretKey>), stack: raw.stack, project, secrets };
}

/**
 * Reads the stack's config as the Pulumi language host passes it (PULUMI_CONFIG and
 * PULUMI_CONFIG_SECRET_KEYS). Bad config ends the run with the list of problems and no
 * stack trace.
 */
export function readStackConfig(): PlatformConfig {
    const stack = pulumi.getStack();
    const prefix = `${CONFIG_NAMESPACE}:`;
    const values: Record<string, string> = {};
    const otherKeys: string[] = [];
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (key.startsWith(prefix)) values[key.slice(prefix.length)] = value;
        else otherKeys.push(key);
    }
    const secretKeys = new Set(
        (JSON.parse(process.env["PULUMI_CONFIG_SECRET_KEYS"] || "[]") as string[])
            .filter((k) => k.startsWith(prefix))
            .map((k) => k.slice(prefix.length)),
    );
    try {
        return toPlatformConfig({ stack, values, secretKeys, otherKeys }, pulumi.getProject());
    } catch (error) {
        if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
        throw error;
    }
}
