/** How the tags an AWS resource will really carry are read from its inputs and its provider. */

/** Provider config reaches the engine as JSON text for structured values (`defaultTags`). */
function parseMaybeJson(value: unknown): unknown {
    if (typeof value !== "string") return value;
    try {
        return JSON.parse(value);
    } catch {
        return undefined;
    }
}

/** Own tags as a map, from either the map form or the autoscaling group's list form. */
export function ownTags(inputs: Record<string, unknown>): Record<string, string> {
    const tags = inputs["tags"];
    if (Array.isArray(tags)) {
        return Object.fromEntries(
            tags
                .filter((t): t is { key: string; value: string } => t !== null && typeof t === "object" && "key" in t)
                .map((t) => [t.key, String(t.value)]),
        );
    }
    return tags !== null && typeof tags === "object" ? (tags as Record<string, string>) : {};
}

function providerDefaultTags(providerInputs: Record<string, unknown> | undefined): Record<string, string> {
    const parsed = parseMaybeJson(providerInputs?.["defaultTags"]) as { tags?: Record<string, string> } | undefined;
    return parsed?.tags ?? {};
}

/**
 * Provider default tags merged under the resource's own. Autoscaling groups do not receive
 * provider default tags, so theirs are their own only.
 */
export function effectiveTags(
    type: string,
    inputs: Record<string, unknown>,
    providerInputs?: Record<string, unknown>,
): Record<string, string> {
    if (type === "aws:autoscaling/group:Group") return ownTags(inputs);
    return { ...providerDefaultTags(providerInputs), ...ownTags(inputs) };
}
