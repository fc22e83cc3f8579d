/**
 * The KV export's schedule over successive `up`s. terraform-provider-cloudflare's
 * workers_cron_trigger Delete is a no-op ("will remove the resource from the Terraform state but
 * will not change it in the API"), `schedules` is updated in place (PUT .../schedules with the
 * whole list) and only accountId and scriptName force a replacement: so a schedule change must be
 * an update, switching the export off must keep the trigger with no schedule, and a delete or
 * replacement must be named in the plan for what it leaves running.
 */
import { GatewayWorker } from "../../components/edge";
import type { SectionInput } from "../../config/schema";
import type { PlannedResource } from "../../tools/plan/capture";
import { planDiff } from "../../tools/plan/diff";
import { toDocument } from "../../tools/plan/document";
import { renderStackMarkdown } from "../../tools/plan/markdown";
import { changeRisk } from "../../tools/plan/risk";
import { captureComponent } from "../helpers/capture";

const CRON = "cloudflare:index/workersCronTrigger:WorkersCronTrigger";
const ACCOUNT = { accountId: "0123456789abcdef0123456789abcdef", zoneId: "fedcba9876543210fedcba9876543210" };

const up = (settings: SectionInput<"edge">, scriptName = "svc-dev-gateway") =>
    captureComponent(
        "dev",
        () =>
            void new GatewayWorker("gw", {
                ...ACCOUNT,
                hostname: "api.example.com",
                scriptName,
                environment: "dev",
                kvNamespaceIds: { CACHE: "ns", STATE: "ns-state" },
                backupBucketName: "b",
                settings,
            }),
    );
const doc = (resources: PlannedResource[]) => toDocument("dev", resources, {}, []);
const cronOf = (resources: PlannedResource[]) => resources.filter((r) => r.type === CRON);

let first: PlannedResource[];
beforeAll(async () => {
    first = await up({});
});

it("changes a schedule in place", async () => {
    const next = await up({ kvBackup: { cron: "30 2 * * *" } });
    const { changes } = planDiff(doc(first), doc(next));
    expect(changes.map((c) => [c.kind, c.type, c.changes.map((p) => [p.path, p.after])])).toEqual([
        ["update", CRON, [["schedules[0].cron", "30 2 * * *"]]],
    ]);
});

it("switching the export off keeps the trigger and empties its schedules, never deleting it", async () => {
    const next = await up({ kvBackup: { enabled: false } });
    const { changes } = planDiff(doc(first), doc(next));
    expect(changes.map((c) => [c.kind, c.type])).toEqual([["update", CRON]]);
    expect(cronOf(next)[0]!.inputs["schedules"]).toEqual([]);
});

it("names what a deleted trigger leaves running, in the terminal and the PR comment", () => {
    const without = first.filter((r) => r.type !== CRON);
    const { changes } = planDiff(doc(first), doc(without));
    expect(changes.map((c) => [c.kind, c.leavesBehind])).toEqual([
        ["delete", expect.stringContaining("the provider's delete is a no-op: the script keeps running its schedules")],
    ]);
    const comment = renderStackMarkdown({
        stack: "dev",
        doc: doc(without),
        changes,
        risk: changeRisk("dev", changes),
        coverage: [],
        findings: [],
    }).comment;
    expect(comment).toContain("> **Deletes WorkersCronTrigger `gw-kv-backup`**: the provider's delete is a no-op");
});

it("waits for a deployed version before it routes or schedules anything", () => {
    const deployment = first.find((r) => r.type === "cloudflare:index/workersDeployment:WorkersDeployment")!;
    for (const trigger of first.filter((r) => r.type === CRON || r.type === "cloudflare:index/workersRoute:WorkersRoute"))
        expect([trigger.type, trigger.options.dependsOn]).toEqual([trigger.type, expect.arrayContaining([deployment.urn])]);
});
