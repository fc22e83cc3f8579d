/**
 * The ops-platform CrossGuard pack: `pulumi preview --policy-pack policies
 * --policy-pack-config policies/config/<stack>.json`. Enforcement levels come from that file;
 * the rules themselves live in rules/ and are shared with `npm run plan` and `npm run audit`.
 */
import { PolicyPack } from "@pulumi/policy";
import { DEFAULT_ENFORCEMENT_LEVEL } from "./engine";
import { notEvaluatedPolicy, toPackPolicy } from "./pack";
import { ALL_RULES } from "./rules";

new PolicyPack("ops-platform", {
    enforcementLevel: DEFAULT_ENFORCEMENT_LEVEL,
    policies: [...ALL_RULES.map(toPackPolicy), notEvaluatedPolicy(ALL_RULES)],
});
