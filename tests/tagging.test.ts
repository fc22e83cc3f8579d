import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REQUIRED_TAG_KEYS, requiredLabels } from "../config/tagging";
import { effectiveTags } from "../policies/lib/tags";
import { toPolicyResources } from "../tools/plan/judge";
import { planOf, STACKS } from "./helpers/plan";

const taggable = new Set<string>(
    JSON.parse(readFileSync(join(__dirname, "..", "policies", "data", "aws-taggable-types.json"), "utf8")).types,
);

describe.each(STACKS)("tags of %s", (stack) => {
    it("every taggable AWS resource carries the required tags, with Environment = the stack", async () => {
        const { resources } = await planOf(stack);
        const checked = toPolicyResources(resources).filter((r) => taggable.has(r.type));
        expect(checked.length).toBeGreaterThan(10);
        for (const r of checked) {
            const effective = effectiveTags(r.type, r.inputs, r.providerInputs);
            expect({ urn: r.urn, missing: REQUIRED_TAG_KEYS.filter((k) => !effective[k]) }).toEqual({ urn: r.urn, missing: [] });
            expect(effective["Environment"]).toBe(stack);
        }
    });
});

it("maps every required tag to a Kubernetes label", () => {
    const labels = requiredLabels({ environment: "dev", service: "ops platform", owner: "team/a", costCenter: "cc-1" });
    expect(Object.keys(labels)).toHaveLength(REQUIRED_TAG_KEYS.length);
    expect(labels["app.kubernetes.io/part-of"]).toBe("ops-platform");
    expect(labels["ops-platform/owner"]).toBe("team-a");
});
