/**
 * The Worker's rollout as successive `pulumi up`s against one Cloudflare account, from empty:
 * first deploy, a code change as a 10% canary, promotion to 100%, more `up`s at 100%, a
 * rollback pin, another change. Each step's requests are checked against Cloudflare's
 * documented rules, then applied to the account the next step reads.
 */
import { REPO_ROOT } from "../../config/repoRoot";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { GATEWAY_ENTRY, GatewayWorker } from "../../components/edge";
import { captureProgram, type PlannedResource } from "../../tools/plan/capture";
import type { LiveCloudflare } from "../../tools/plan/mocks";
import { scratchDir } from "../helpers/scratch";

const ACCOUNT = { accountId: "0123456789abcdef0123456789abcdef", zoneId: "fedcba9876543210fedcba9876543210" };
const SCRIPT = "svc-production-gateway";

/** A copy of the gateway's source whose code differs by one string: a code change. */
function changedSource(marker: string): string {
    // Inside the repository, so the copy resolves the gateway's packages from node_modules.
    const dir = scratchDir("gateway-src", join(REPO_ROOT, ".tmp"));
    cpSync(join(GATEWAY_ENTRY, ".."), dir, { recursive: true });
    const index = join(dir, "index.ts");
    // An entry module's exports stay in the bundle, so this export changes the uploaded code.
    writeFileSync(index, `${readFileSync(index, "utf8")}\nexport const sourceVariant = ${JSON.stringify(marker)};\n`);
    return index;
}

interface Step {
    resources: PlannedResource[];
    versionId: string;
    previousVersionId: string | undefined;
}

async function up(live: LiveCloudflare, entry: string, rollout: { canaryPercent: number; pinnedVersionId?: string }): Promise<Step> {
    let outputs: Record<string, pulumi.Output<unknown>> = {};
    const { resources, outputs: resolved } = await captureProgram(
        "ops-platform",
        "production",
        () => {
            const worker = new GatewayWorker("gw", {
                ...ACCOUNT,
                hostname: "api.example.com",
                scriptName: SCRIPT,
                environment: "production",
                kvNamespaceIds: { CACHE: "ns", STATE: "ns-state" },
                backupBucketName: "b",
                entry,
                settings: { rollout },
            });
            outputs = { versionId: worker.versionId, previousVersionId: worker.previousVersionId };
            return outputs;
        },
        live,
    );
    return { resources, versionId: String(resolved["versionId"]), previousVersionId: resolved["previousVersionId"] as string | undefined };
}

/** Cloudflare's rules for this step's requests; what they violate, by documented error. */
function refusals(live: LiveCloudflare, known: Set<string>, step: Step): string[] {
    const problems: string[] = [];
    const one = (type: string) => step.resources.filter((r) => r.type === type);
    const [host] = one("cloudflare:index/workersScript:WorkersScript");
    const liveTag = live.scripts.find((s) => s.id === host!.inputs["scriptName"])?.migrationTag || undefined;
    const migrations = host!.inputs["migrations"] as { oldTag?: string; newTag: string } | undefined;
    // 10079: once a script has a migration tag, an upload carrying migrations must name it as oldTag.
    if (migrations && liveTag && migrations.oldTag !== liveTag)
        problems.push(`10079: migrations ${JSON.stringify(migrations)} on a script at ${liveTag}`);
    if (migrations && !liveTag && migrations.oldTag) problems.push(`10079: oldTag ${migrations.oldTag} on a script with no migration`);
    const tagAfter = migrations?.newTag ?? liveTag;
    for (const version of one("cloudflare:index/workerVersion:WorkerVersion")) {
        if (version.inputs["migrations"]) problems.push("10211: migrations on a version upload");
        const binding = (version.inputs["bindings"] as Array<Record<string, string>>).find((b) => b["type"] === "durable_object_namespace");
        if (binding && (binding["scriptName"] !== host!.inputs["scriptName"] || !tagAfter))
            problems.push("10061: the bound class is not a Durable Object yet");
    }
    for (const deployment of one("cloudflare:index/workersDeployment:WorkersDeployment")) {
        const versions = deployment.inputs["versions"] as Array<{ versionId: string; percentage: number }>;
        // Deployments API: one or two versions whose percentages total 100, each an uploaded version.
        if (versions.length < 1 || versions.length > 2) problems.push(`deployment of ${versions.length} versions`);
        if (versions.reduce((sum, v) => sum + v.percentage, 0) !== 100) problems.push("percentages do not total 100");
        for (const v of versions)
            if (!known.has(v.versionId) && v.versionId !== step.versionId) problems.push(`unknown version ${v.versionId}`);
    }
    return problems;
}

/** What Cloudflare holds after the step: the migration tag, the versions, one more deployment if the split changed. */
function apply(live: LiveCloudflare, known: Set<string>, step: Step, day: number): void {
    const host = step.resources.find((r) => r.type === "cloudflare:index/workersScript:WorkersScript")!;
    const migrations = host.inputs["migrations"] as { newTag: string } | undefined;
    const scriptName = String(host.inputs["scriptName"]);
    if (migrations)
        live.scripts = [...live.scripts.filter((s) => s.id !== scriptName), { id: scriptName, migrationTag: migrations.newTag }];
    known.add(step.versionId);
    const versions = step.resources.find((r) => r.type === "cloudflare:index/workersDeployment:WorkersDeployment")!.inputs[
        "versions"
    ] as Array<{ versionId: string; percentage: number }>;
    const history = (live.deployments[SCRIPT] ??= []);
    if (JSON.stringify(history.at(-1)?.versions) !== JSON.stringify(versions))
        history.push({ id: `d${day}`, createdOn: `2026-12-${String(day).padStart(2, "0")}T00:00:00Z`, versions });
}

const split = (step: Step) =>
    step.resources.find((r) => r.type === "cloudflare:index/workersDeployment:WorkersDeployment")!.inputs["versions"];

it("rolls out, promotes, keeps its rollback target, rolls back and rolls out again, each step a valid request", async () => {
    const live: LiveCloudflare = { scripts: [], deployments: {} };
    const known = new Set<string>();
    let day = 0;
    const run = async (entry: string, rollout: { canaryPercent: number; pinnedVersionId?: string }) => {
        const step = await up(live, entry, rollout);
        expect(refusals(live, known, step)).toEqual([]);
        apply(live, known, step, ++day);
        return step;
    };

    // 1. An empty account: the class is migrated by the non-versioned upload; the first version takes everything.
    const first = await run(GATEWAY_ENTRY, { canaryPercent: 10 });
    expect(first.resources.find((r) => r.type === "cloudflare:index/workersScript:WorkersScript")!.inputs["migrations"]).toEqual({
        newTag: "v1",
        steps: [{ newSqliteClasses: ["RateLimiter"] }],
    });
    expect(split(first)).toEqual([{ versionId: first.versionId, percentage: 100 }]);
    expect(first.previousVersionId).toBeUndefined();

    // 2. A code change: a new version at 10% beside the first; no migration is sent again.
    const canaryCode = changedSource("b");
    const canary = await run(canaryCode, { canaryPercent: 10 });
    expect(canary.versionId).not.toBe(first.versionId);
    expect(canary.resources.find((r) => r.type === "cloudflare:index/workersScript:WorkersScript")!.inputs["migrations"]).toBeUndefined();
    expect(split(canary)).toEqual([
        { versionId: canary.versionId, percentage: 10 },
        { versionId: first.versionId, percentage: 90 },
    ]);

    // 3. Promotion to 100%, then more `up`s at 100%: the version to roll back to stays the first.
    const promoted = await run(canaryCode, { canaryPercent: 100 });
    expect(split(promoted)).toEqual([{ versionId: canary.versionId, percentage: 100 }]);
    for (let i = 0; i < 3; i++) expect((await run(canaryCode, { canaryPercent: 100 })).previousVersionId).toBe(first.versionId);

    // 4. Rollback in one step: pin the previous version.
    const pinned = await run(canaryCode, { canaryPercent: 100, pinnedVersionId: promoted.previousVersionId });
    expect(split(pinned)).toEqual([{ versionId: first.versionId, percentage: 100 }]);

    // 5. Unpinned with another change: a 10% canary beside what serves now.
    const next = await run(changedSource("c"), { canaryPercent: 10 });
    expect(split(next)).toEqual([
        { versionId: next.versionId, percentage: 10 },
        { versionId: first.versionId, percentage: 90 },
    ]);
    expect(live.scripts).toEqual([{ id: `${SCRIPT}-rate-limiter`, migrationTag: "v1" }]);
});
