/**
 * On-call as code: the source documents' rotation and escalation (incident-management.md,
 * "On-Call Management") declared in PagerDuty, and the keys Alertmanager and the dead man's
 * switch page with taken from the integrations declared, never pasted. The provider's limits
 * are terraform-provider-pagerduty v2.4.0's (docs/provider-rules.md).
 */
import { OnCall } from "../../components/oncall";
import { ESCALATION, ROTATION_TURN_SECONDS, escalationRules, rotations } from "../../components/oncall/escalation";
import type { PlannedResource } from "../../tools/plan/capture";
import { planDiff } from "../../tools/plan/diff";
import { toDocument } from "../../tools/plan/document";
import { captureComponent } from "../helpers/capture";
import { ofType, oneOfType, planOf } from "../helpers/plan";

const SCHEDULE = "pagerduty:index/schedule:Schedule";
const POLICY = "pagerduty:index/escalationPolicy:EscalationPolicy";
const SERVICE = "pagerduty:index/service:Service";
const INTEGRATION = "pagerduty:index/serviceIntegration:ServiceIntegration";
type Rule = { escalationDelayInMinutes: number; targets: Array<{ type: string; id: string }> };

it("escalates as the source documents say: primary 0-5 min, secondary 5-15, team lead 15-30, manager 30-60, VP 60+ for P1 only", () => {
    const starts = (rules: ReturnType<typeof escalationRules>) =>
        rules.map((rule, i) => [rule.target, rules.slice(0, i).reduce((minutes, r) => minutes + r.delayMinutes, 0)]);
    expect(starts(escalationRules("P1"))).toEqual([
        ["primary", 0],
        ["secondary", 5],
        ["teamLead", 15],
        ["engineeringManager", 30],
        ["vpEngineering", 60],
    ]);
    expect(starts(escalationRules("P2"))).toEqual(starts(escalationRules("P1")).slice(0, 4));
    // The provider refuses a delay under a minute (validation.IntAtLeast(1)).
    for (const priority of ["P1", "P2"] as const)
        for (const rule of escalationRules(priority)) expect(rule.delayMinutes).toBeGreaterThanOrEqual(1);
    expect(ESCALATION.at(-1)).toMatchObject({ target: "vpEngineering", priorities: ["P1"] });
});

it("rotates one list weekly: each week's secondary is the next week's primary", () => {
    const { primary, secondary } = rotations(["A", "B", "C", "D"]);
    expect(primary).toEqual(["A", "B", "C", "D"]);
    expect(secondary).toEqual(["B", "C", "D", "A"]);
    expect(ROTATION_TURN_SECONDS).toBe(604_800);
});

describe("the production plan", () => {
    let resources: Awaited<ReturnType<typeof planOf>>["resources"];
    let engineers: string[];
    beforeAll(async () => {
        const plan = await planOf("production");
        resources = plan.resources;
        engineers = plan.config.onCall.engineers!;
    });

    it("has a primary and a secondary weekly schedule over the rotation, handing off on its Monday", () => {
        const layers = (role: string) => oneOfType(resources, SCHEDULE, role).inputs["layers"] as Array<Record<string, unknown>>;
        for (const [role, users] of [
            ["primary", engineers],
            ["secondary", rotations(engineers).secondary],
        ] as const) {
            expect(layers(role)).toEqual([expect.objectContaining({ rotationTurnLengthSeconds: 604_800, users })]);
            expect(new Date(String(layers(role)[0]!["start"])).getUTCDay()).toBe(1);
        }
    });

    it("has a policy per paging priority on the schedules and people, and only P1's reaches the VP", async () => {
        const { config } = await planOf("production");
        const schedule = (role: string) => oneOfType(resources, SCHEDULE, role).id;
        const targets = (priority: string) =>
            (oneOfType(resources, POLICY, `-${priority}`).inputs["rules"] as Rule[]).map((r) => r.targets.map((t) => [t.type, t.id]));
        const { teamLead, engineeringManager, vpEngineering } = config.onCall;
        const p2 = [
            [["schedule_reference", schedule("primary")]],
            [["schedule_reference", schedule("secondary")]],
            [["user_reference", teamLead]],
            [["user_reference", engineeringManager]],
        ];
        expect(targets("p2")).toEqual(p2);
        expect(targets("p1")).toEqual([...p2, [["user_reference", vpEngineering]]]);
        for (const policy of ofType(resources, POLICY)) expect(policy.inputs["numLoops"]).toBe(0);
    });

    it("pages through an Events API v2 integration on a service per priority, whose keys Alertmanager and the switch use", () => {
        const services = ofType(resources, SERVICE);
        expect(services.map((s) => [s.inputs["escalationPolicy"], s.inputs["alertCreation"]]).sort()).toEqual(
            ofType(resources, POLICY)
                .map((p) => [p.id, "create_alerts_and_incidents"])
                .sort(),
        );
        const integrations = ofType(resources, INTEGRATION);
        expect(integrations.map((i) => [i.inputs["service"], i.inputs["type"]]).sort()).toEqual(
            services.map((s) => [s.id, "events_api_v2_inbound_integration"]).sort(),
        );
        for (const integration of integrations) expect(integration.options).toMatchObject({ additionalSecretOutputs: ["integrationKey"] });
        // The routing keys flow from the integrations: Alertmanager's config from both, the switch's from P2's.
        const routing = oneOfType(resources, "kubernetes:core/v1:Secret", "alertmanager");
        for (const integration of integrations) expect(routing.options.propertyDependencies?.["stringData"]).toContain(integration.urn);
        const heartbeat = oneOfType(resources, "cloudflare:index/workersScript:WorkersScript", "heartbeat");
        expect(heartbeat.options.propertyDependencies?.["bindings"]).toContain(oneOfType(resources, INTEGRATION, "-p2").urn);
        expect(heartbeat.options.propertyDependencies?.["bindings"]).not.toContain(oneOfType(resources, INTEGRATION, "-p1").urn);
    });

    it("dev and staging page nobody: no PagerDuty resource and no switch", async () => {
        for (const stack of ["dev", "staging"]) {
            const { resources: others } = await planOf(stack);
            expect(others.filter((r) => r.type.startsWith("pagerduty:") || r.name.includes("heartbeat")).map((r) => r.type)).toEqual([]);
        }
    });
});

describe("the tenth up", () => {
    const settings = {
        engineers: ["PENG001", "PENG002", "PENG003", "PENG004"],
        teamLead: "PLEAD01",
        engineeringManager: "PMGR001",
        vpEngineering: "PVPE001",
        rotationStart: "2027-01-04T09:00:00Z",
        timeZone: "UTC",
    };
    const up = (changes: Partial<typeof settings>) =>
        captureComponent(
            "production",
            () => void new OnCall("oc", { namePrefix: "svc-production", settings: { ...settings, ...changes } }),
        );
    const doc = (resources: PlannedResource[]) => toDocument("production", resources, {}, []);

    it("a new engineer, a new team lead or a new hand-off updates in place: no service, policy or routing key is replaced", async () => {
        const first = await up({});
        for (const change of [
            { engineers: [...settings.engineers, "PENG005"] },
            { teamLead: "PLEAD02" },
            { rotationStart: "2027-02-01T09:00:00Z", timeZone: "Europe/Berlin" },
        ]) {
            const { changes } = planDiff(doc(first), doc(await up(change)));
            expect(changes.length).toBeGreaterThan(0);
            expect(changes.filter((c) => c.kind !== "update").map((c) => [c.kind, c.type])).toEqual([]);
        }
    });
});
