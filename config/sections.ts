/**
 * A config section resolved for a component: the schema's defaults applied and the section's
 * own rules checked (config/rules.ts SECTION_CHECKS), once. A section that the whole config's
 * validation (config/load.ts) or an earlier call already resolved is handed back as it is, so a
 * component given its slice by its parent never parses it again.
 */
import type { z } from "zod";
import { sectionProblems } from "./rules";
import { CONFIG_SECTIONS, type ConfigSection, type ParsedConfig, type SectionInput } from "./schema";

const resolved = new WeakSet<object>();

/** Records that `value` is a resolved, checked section. */
export function markResolved(value: object): void {
    resolved.add(value);
}

/** A section's settings with every default applied; bad values are one error naming `owner` and each key. */
export function sectionSettings<K extends ConfigSection>(
    section: K,
    input: SectionInput<K> | ParsedConfig[K] | undefined,
    owner: string,
): ParsedConfig[K] {
    if (input !== undefined && resolved.has(input as object)) return input as ParsedConfig[K];
    const result = (CONFIG_SECTIONS[section] as z.ZodType).safeParse(input);
    const problems = result.success
        ? sectionProblems(section, result.data as ParsedConfig[K]).map((p) => `${p.path}: ${p.message}`)
        : result.error.issues.map((issue) => `${section}.${issue.path.map(String).join(".")}: ${issue.message}`);
    if (problems.length > 0) throw new Error(`${owner}: invalid settings: ${problems.join("; ")}`);
    const settings = result.data as ParsedConfig[K];
    markResolved(settings);
    return settings;
}
