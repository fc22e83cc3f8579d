/** Builds stack configs with one thing changed and collects the problems validation reports. */
import { ConfigError, validateConfig, type RawStackConfig } from "../../config/load";
import { rawPlatformConfig, readStackFile } from "../../tools/plan/stackFile";

export function rawOf(stack: string): RawStackConfig {
    return rawPlatformConfig(stack, readStackFile(stack));
}

/** A stack's raw config with one top-level key set (objects merged into the stack's own) or removed. */
export function withKey(stack: string, key: string, value: unknown | undefined, merge = false): RawStackConfig {
    return withKeys(stack, { [key]: value }, merge);
}

/** A stack's raw config with several top-level keys set (objects merged into the stack's own) or removed. */
export function withKeys(stack: string, changes: Record<string, unknown>, merge = false): RawStackConfig {
    const raw = rawOf(stack);
    const values = { ...raw.values };
    for (const [key, value] of Object.entries(changes)) {
        if (value === undefined) delete values[key];
        else if (typeof value === "string") values[key] = value;
        else values[key] = JSON.stringify(merge && values[key] ? { ...JSON.parse(values[key]!), ...(value as object) } : value);
    }
    return { ...raw, values };
}

/** The problems validation reports; none when the config is valid. */
export function problemsOf(raw: RawStackConfig): string[] {
    try {
        validateConfig(raw);
    } catch (error) {
        if (error instanceof ConfigError) return [...error.problems];
        throw error;
    }
    return [];
}
