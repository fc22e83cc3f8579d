import { validateConfig } from "../../config/load";
import { sectionSettings } from "../../config/sections";
import { problemsOf, rawOf, withKey } from "../helpers/config";
import { STACKS } from "../helpers/plan";

describe("stack config", () => {
    it.each(STACKS)("%s loads and matches its environment", (stack) => {
        const config = validateConfig(rawOf(stack));
        expect(config.environment).toBe(stack);
    });

    it("gives dev the cheaper settings and production the safe defaults", () => {
        const dev = validateConfig(rawOf("dev"));
        const production = validateConfig(rawOf("production"));
        expect([dev.network.azCount, dev.network.natGateways, dev.fleet.size.desiredCapacity]).toEqual([2, "single", 1]);
        expect([production.network.azCount, production.network.natGateways, production.fleet.size.desiredCapacity]).toEqual([
            3,
            "perAz",
            3,
        ]);
        expect(production.protectStatefulResources).toBe(true);
        expect(production.backup.lockMode).toBe("compliance");
        expect(dev.edge.rateLimit).toEqual({ maxRequests: 1000, windowMs: 60000, burstSize: 20, timeoutMs: 1000, onFailure: "closed" });
        expect(production.edge.rateLimit).toEqual({
            maxRequests: 2000,
            windowMs: 60000,
            burstSize: 50,
            timeoutMs: 1000,
            onFailure: "closed",
        });
    });

    it("keeps secure values secret keys", () => {
        const raw = rawOf("production");
        expect([...raw.secretKeys].sort()).toEqual([
            "anthropicApiKey",
            "kubeconfig",
            "openaiApiKey",
            "pagerdutyToken",
            "slackInfraWebhookUrl",
            "slackWebhookUrl",
        ]);
    });
});

describe("bad config is refused with the key named", () => {
    it.each([
        [
            "an unknown top-level key, with the closest one suggested",
            withKey("dev", "netwrk", { azCount: 2 }),
            /^dev: ops-platform:netwrk: unknown key; did you mean "network"\?/,
        ],
        [
            "an unknown nested key",
            withKey("dev", "network", { azCount: 2, natGatways: "single" }),
            /^dev: ops-platform:network\.natGatways: unknown key; did you mean "natGateways"\?/,
        ],
        [
            "a key this program no longer reads, with why",
            withKey("dev", "pagerdutyCloudwatchKey", "a-key"),
            /^dev: ops-platform:pagerdutyCloudwatchKey: no longer read: the SNS topics page nothing; Alertmanager pages through pagerdutyRoutingKey/,
        ],
        [
            "a nested key this program no longer reads",
            withKey("dev", "cloudflare", { pagerdutyIntegrationId: "P123" }, true),
            /^dev: ops-platform:cloudflare\.pagerdutyIntegrationId: no longer read: Cloudflare's notifications go to Slack/,
        ],
        [
            "a wrong type",
            withKey("dev", "network", { azCount: "two" }),
            /^dev: ops-platform:network\.azCount: string "two" is not valid; expected number/,
        ],
        [
            "a value outside an enum",
            withKey("dev", "network", { natGateways: "some" }),
            /^dev: ops-platform:network\.natGateways: .*expected one of "perAz", "single"/,
        ],
        ["a missing required key", withKey("dev", "owner", undefined), /^dev: ops-platform:owner: missing; expected string/],
        [
            "an environment that is not the stack",
            withKey("dev", "environment", "production"),
            /^dev: ops-platform:environment: is "production" but the stack is "dev"/,
        ],
        [
            "a plaintext secret",
            (() => {
                const raw = rawOf("dev");
                return { ...raw, secretKeys: new Set([...raw.secretKeys].filter((k) => k !== "openaiApiKey")) };
            })(),
            /^dev: ops-platform:openaiApiKey: is stored in plain text/,
        ],
        [
            "a provider without its key (the postmortem)",
            withKey("dev", "anthropicApiKey", undefined),
            /^dev: ops-platform:anthropicApiKey: missing, but edge.providers.order uses anthropic/,
        ],
    ])("%s", (_, raw, expected) => {
        const problems = problemsOf(raw);
        expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
    });

    it("reports every problem at once", () => {
        const raw = withKey("dev", "network", { azCount: "two", natGatways: "single" });
        raw.values["costCenter"] = "";
        const problems = problemsOf(raw);
        expect(problems.map((p) => p.split(":").slice(0, 3).join(":"))).toEqual(
            expect.arrayContaining([
                "dev: ops-platform:network.azCount",
                "dev: ops-platform:network.natGatways",
                "dev: ops-platform:costCenter",
            ]),
        );
    });
});

describe("who is paged: PagerDuty declared here or elsewhere, never half of each", () => {
    const secret = (raw: ReturnType<typeof rawOf>, key: string, value: string) => ({
        ...raw,
        values: { ...raw.values, [key]: value },
        secretKeys: new Set([...raw.secretKeys, key]),
    });
    const onCall = (stack: string, changes: Record<string, unknown>) => withKey(stack, "onCall", changes, true);
    it.each<[string, ReturnType<typeof rawOf>, RegExp]>([
        [
            "a managed on-call without its token",
            withKey("production", "pagerdutyToken", undefined),
            /^production: ops-platform:pagerdutyToken: missing, but onCall.manage is true; expected a PagerDuty API token/,
        ],
        [
            "a managed on-call without its VP",
            onCall("production", { vpEngineering: undefined }),
            /^production: ops-platform:onCall.vpEngineering: missing, but onCall.manage is true; expected a PagerDuty user id/,
        ],
        [
            "a managed on-call with a hand-set key too",
            secret(rawOf("production"), "pagerdutyRoutingKey", "a-key"),
            /^production: ops-platform:pagerdutyRoutingKey: is not read while onCall.manage is true/,
        ],
        [
            "PagerDuty managed elsewhere without its key",
            onCall("production", { manage: false }),
            /^production: ops-platform:pagerdutyRoutingKey: missing, but this stack pages and onCall.manage is false/,
        ],
        [
            "a key in a stack that pages nobody",
            secret(rawOf("dev"), "pagerdutyRoutingKey", "a-key"),
            /^dev: ops-platform:pagerdutyRoutingKey: is not read: monitoring.paging is false, so this stack pages nobody; remove it/,
        ],
        [
            "a rotation in a stack that pages nobody",
            onCall("dev", { manage: true }),
            /^dev: ops-platform:onCall.manage: is true, but monitoring.paging is false/,
        ],
        [
            "a rotation of three",
            onCall("production", { engineers: ["PENG001", "PENG002", "PENG003"] }),
            /^production: ops-platform:onCall.engineers: .*expected at least 4 engineers in the rotation/,
        ],
        [
            "a hand-off on a Tuesday",
            onCall("production", { rotationStart: "2027-01-05T09:00:00Z" }),
            /^production: ops-platform:onCall.rotationStart: .*expected a Monday/,
        ],
        [
            "an email for a user id",
            onCall("production", { teamLead: "lead@example.com" }),
            /^production: ops-platform:onCall.teamLead: .*expected a PagerDuty user id/,
        ],
    ])("%s", (_, raw, expected) => {
        expect(problemsOf(raw)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
    });
});

describe("config is resolved once", () => {
    it("validates a stack's config once per run: the same raw config gives the same parsed config", () => {
        expect(validateConfig(rawOf("production"))).toBe(validateConfig(rawOf("production")));
    });

    it("hands back a section the stack's validation resolved, and resolves one given alone with its rules", () => {
        const { fleet } = validateConfig(rawOf("production"));
        expect(sectionSettings("fleet", fleet, "a child component")).toBe(fleet);
        const alone = sectionSettings("fleet", { size: { minSize: 1, desiredCapacity: 1, maxSize: 2 } }, "a component built alone");
        expect(sectionSettings("fleet", alone, "its child")).toBe(alone);
        expect(() => sectionSettings("edge", { concurrency: { min: 20, max: 10 } }, "gw")).toThrow(
            "gw: invalid settings: edge.concurrency.min: 20 is above max 10",
        );
    });
});
