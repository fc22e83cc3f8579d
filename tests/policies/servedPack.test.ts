/**
 * The policy pack served the way the engine serves it: `node <@pulumi/pulumi>/cmd/run-policy-pack
 * /index.js <engine> .` from inside policies/, with a stand-in engine on 127.0.0.1, driven over
 * the analyzer protocol with the SDK's own generated stubs (GetAnalyzerInfo, GetPluginInfo,
 * Configure, Analyze per resource, AnalyzeStack). What it reports must be what `npm run audit`
 * reports for the same resources: same rules, same resources, same enforcement level.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { EngineService } from "@pulumi/pulumi/proto/engine_grpc_pb";
import { DEFAULT_ENFORCEMENT_LEVEL, levelOf, type PolicyConfig } from "../../policies/engine";
import { NOT_EVALUATED_POLICY } from "../../policies/pack";
import { ALL_RULES } from "../../policies/rules";
import { readAuditInput } from "../../tools/audit";
import { judge, policyConfigFor } from "../../tools/plan/judge";
import type { PlanDocument } from "../../tools/plan/document";
import { ROOT } from "../helpers/cli";
import { planOf, STACKS, type PlanResource } from "../helpers/plan";

const PACK_DIR = join(ROOT, "policies");
const SECRET = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "redacted-in-the-plan" };
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const LEVELS: Record<number, string> = {
    [analyzer.EnforcementLevel.ADVISORY]: "advisory",
    [analyzer.EnforcementLevel.MANDATORY]: "mandatory",
};

let engine: grpc.Server;
let pack: ChildProcess;
let client: AnalyzerClient;
const engineLogs: string[] = [];

/** The plan's marks back to the wire: a secret as Pulumi's secret object, an unknown as the engine's sentinel. */
function toWire(value: unknown): unknown {
    if (value === "[secret]") return SECRET;
    if (value === "[unknown]") return UNKNOWN;
    if (Array.isArray(value)) return value.map(toWire);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v)]));
    return value;
}

const struct = (inputs: Record<string, unknown>) => Struct.fromJavaScript(toWire(inputs) as Record<string, never>);

/** Each resource's properties as a Struct, made once per resource: every Analyze and AnalyzeStack request carries them. */
function structsOf(resources: readonly PlanResource[]): Map<string, Struct> {
    return new Map(resources.map((r) => [r.urn, struct(r.inputs)]));
}

function providerOf(
    r: PlanResource,
    byUrn: Map<string, PlanResource>,
    structs: Map<string, Struct>,
): analyzer.AnalyzerProviderResource | undefined {
    const p = r.options.provider ? byUrn.get(r.options.provider) : undefined;
    return p && new analyzer.AnalyzerProviderResource().setType(p.type).setUrn(p.urn).setName(p.name).setProperties(structs.get(p.urn)!);
}

const optionsOf = (r: PlanResource) =>
    new analyzer.AnalyzerResourceOptions().setProtect(Boolean(r.options.protect)).setParent(r.parent ?? "");

function call<Req, Res>(
    method: (req: Req, metadata: grpc.Metadata, options: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r: Res) => void) => unknown,
    req: Req,
): Promise<Res> {
    return new Promise((resolve, reject) =>
        method.call(client, req, new grpc.Metadata(), { deadline: Date.now() + 30_000 }, (e, r) => (e ? reject(e) : resolve(r))),
    );
}

interface Served {
    violations: string[];
    notEvaluated: string[];
}

/** What the served pack reports for a stack's resources under the stack's policy config, as the engine asks it. */
async function serve(stack: string, resources: readonly PlanResource[]): Promise<Served> {
    const config = policyConfigFor(stack);
    const info = await call<Empty, analyzer.AnalyzerInfo>(client.getAnalyzerInfo, new Empty());
    const configure = new analyzer.ConfigureAnalyzerRequest();
    for (const policy of info.getPoliciesList()) {
        // The engine expands `all` to every policy; a policy's own key wins.
        const level = levelIn(config, policy.getName()) ?? LEVELS[policy.getEnforcementlevel()]!;
        configure
            .getPolicyconfigMap()
            .set(
                policy.getName(),
                new analyzer.PolicyConfig()
                    .setProperties(new Struct())
                    .setEnforcementlevel(
                        level === "mandatory"
                            ? analyzer.EnforcementLevel.MANDATORY
                            : level === "disabled"
                              ? analyzer.EnforcementLevel.DISABLED
                              : analyzer.EnforcementLevel.ADVISORY,
                    ),
            );
    }
    await call(client.configure, configure);

    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const structs = structsOf(resources);
    const diagnostics: Array<[analyzer.AnalyzeDiagnostic, string]> = [];
    for (const r of resources) {
        const request = new analyzer.AnalyzeRequest()
            .setType(r.type)
            .setUrn(r.urn)
            .setName(r.name)
            .setProperties(structs.get(r.urn)!)
            .setOptions(optionsOf(r));
        const provider = providerOf(r, byUrn, structs);
        if (provider) request.setProvider(provider);
        for (const d of (await call<analyzer.AnalyzeRequest, analyzer.AnalyzeResponse>(client.analyze, request)).getDiagnosticsList())
            diagnostics.push([d, r.urn]);
    }
    const stackRequest = new analyzer.AnalyzeStackRequest().setResourcesList(
        resources.map((r) => {
            const resource = new analyzer.AnalyzerResource()
                .setType(r.type)
                .setUrn(r.urn)
                .setName(r.name)
                .setProperties(structs.get(r.urn)!)
                .setOptions(optionsOf(r))
                .setParent(r.parent ?? "")
                .setDependenciesList(r.options.dependsOn ?? []);
            const provider = providerOf(r, byUrn, structs);
            if (provider) resource.setProvider(provider);
            for (const [key, urns] of Object.entries(r.options.propertyDependencies ?? {}))
                resource.getPropertydependenciesMap().set(key, new analyzer.AnalyzerPropertyDependencies().setUrnsList(urns));
            return resource;
        }),
    );
    for (const d of (
        await call<analyzer.AnalyzeStackRequest, analyzer.AnalyzeResponse>(client.analyzeStack, stackRequest)
    ).getDiagnosticsList())
        diagnostics.push([d, ""]);

    const served: Served = { violations: [], notEvaluated: [] };
    for (const [d, requestUrn] of diagnostics) {
        const urn = d.getUrn() || requestUrn;
        // The SDK sends the policy's description, then the reported message: `<rule>: not evaluated: <reason>`.
        const rule = /(\S+): not evaluated: /.exec(d.getMessage())?.[1];
        if (d.getPolicyname() === NOT_EVALUATED_POLICY) served.notEvaluated.push(`${rule} ${urn}`);
        else served.violations.push(`${d.getPolicyname()} ${urn} ${LEVELS[d.getEnforcementlevel()]}`);
    }
    return { violations: [...new Set(served.violations)].sort(), notEvaluated: [...new Set(served.notEvaluated)].sort() };
}

function levelIn(config: PolicyConfig, name: string): string | undefined {
    const level = config[name] ?? config["all"];
    return typeof level === "object" ? level.enforcementLevel : level;
}

/** What `npm run audit` reports for the same resources (its own reading of a plan document). */
function audit(stack: string, resources: readonly PlanResource[]): Served {
    const input = readAuditInput(JSON.stringify({ stack, resources: [...resources], outputs: {}, findings: [] } satisfies PlanDocument));
    const findings = judge(input.stack, input.resources);
    const key = (f: (typeof findings)[number]) => `${f.policy} ${f.resource?.urn ?? ""}`;
    return {
        violations: [...new Set(findings.filter((f) => f.status === "violation").map((f) => `${key(f)} ${f.level}`))].sort(),
        notEvaluated: [...new Set(findings.filter((f) => f.status === "not-evaluated").map(key))].sort(),
    };
}

/** Rules that need secret marks: the audit judges them, the served pack says it cannot. */
/** The rules that judge secret marks, which CrossGuard hides: `npm run audit` judges them from a stack export. */
const SECRET_MARK_RULE_NAMES = ALL_RULES.filter((rule) => rule.judgesSecrets).map((rule) => rule.name);
const withoutSecretMarkRules = (keys: string[]) => keys.filter((k) => !SECRET_MARK_RULE_NAMES.includes(k.split(" ")[0]!));

beforeAll(async () => {
    engine = new grpc.Server();
    engine.addService(EngineService, {
        log: (c: grpc.ServerUnaryCall<{ getMessage(): string }, Empty>, cb: grpc.sendUnaryData<Empty>) => {
            engineLogs.push(c.request.getMessage());
            cb(null, new Empty());
        },
    });
    const enginePort = await new Promise<number>((resolve, reject) =>
        engine.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, port) => (e ? reject(e) : resolve(port))),
    );

    const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack/index.js", { paths: [PACK_DIR] });
    pack = spawn(process.execPath, [runPolicyPack, `127.0.0.1:${enginePort}`, "."], { cwd: PACK_DIR, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    pack.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const port = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the pack printed no port within 60 s:\n${stderr}`)), 60_000);
        pack.stdout!.once("data", (chunk: Buffer) => {
            clearTimeout(timer);
            resolve(chunk.toString().trim().split("\n")[0]!);
        });
        pack.once("exit", (code) => reject(new Error(`the pack exited ${code} before serving:\n${stderr}`)));
    });
    client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 90_000);

afterAll(() => {
    client?.close();
    pack?.kill();
    engine?.forceShutdown();
});

it("serves the rules the audit runs, and a plugin version", async () => {
    const info = await call<Empty, analyzer.AnalyzerInfo>(client.getAnalyzerInfo, new Empty());
    expect(info.getName()).toBe("ops-platform");
    expect(
        info
            .getPoliciesList()
            .map((p) => p.getName())
            .sort(),
    ).toEqual([...ALL_RULES.map((r) => r.name), NOT_EVALUATED_POLICY].sort());
    const plugin = await call<Empty, { getVersion(): string }>(client.getPluginInfo, new Empty());
    expect(plugin.getVersion()).toMatch(/^\d+\.\d+\.\d+/);
});

it("without a policy config, the served pack, the plan and the audit give every rule the same level", async () => {
    const info = await call<Empty, analyzer.AnalyzerInfo>(client.getAnalyzerInfo, new Empty());
    const served = Object.fromEntries(
        info
            .getPoliciesList()
            .filter((p) => p.getName() !== NOT_EVALUATED_POLICY)
            .map((p) => [p.getName(), LEVELS[p.getEnforcementlevel()]]),
    );
    // A stack with no policies/config/<stack>.json (a new stack "qa").
    const offline = Object.fromEntries(ALL_RULES.map((rule) => [rule.name, levelOf(rule, policyConfigFor("qa"))]));
    expect(offline).toEqual(served);
    expect(new Set(Object.values(served))).toEqual(new Set([DEFAULT_ENFORCEMENT_LEVEL]));
});

it.each(STACKS)(
    "%s: served and audited, the stack's resources get the same findings at the same levels",
    async (stack) => {
        const { resources } = await planOf(stack);
        const served = await serve(stack, resources);
        const audited = audit(stack, resources);
        expect(served.violations).toEqual(audited.violations);
        expect(withoutSecretMarkRules(served.notEvaluated)).toEqual(withoutSecretMarkRules(audited.notEvaluated));
        // What the served pack cannot see, it says: every Worker version, Kubernetes Secret, Logpush job and script with a secret binding is listed as not evaluated.
        const secretHolders = resources.filter(
            (r) =>
                [
                    "cloudflare:index/workerVersion:WorkerVersion",
                    "kubernetes:core/v1:Secret",
                    "cloudflare:index/logpushJob:LogpushJob",
                ].includes(r.type) ||
                (r.type === "cloudflare:index/workersScript:WorkersScript" &&
                    JSON.stringify(r.inputs["bindings"] ?? []).includes("secret_text")),
        );
        expect(served.notEvaluated.filter((k) => SECRET_MARK_RULE_NAMES.includes(k.split(" ")[0]!)).length).toBe(secretHolders.length);
    },
    60_000,
);

it("broken production resources: the same violations served and audited; unknowns are not judged; secret marks only in the audit", async () => {
    const resources = structuredClone((await planOf("production")).resources) as PlanResource[];
    const pick = (type: string, nameIncludes = "") => resources.find((r) => r.type === type && r.name.includes(nameIncludes))!;
    const launchTemplates = resources.filter((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate");
    (launchTemplates[0]!.inputs["metadataOptions"] as Record<string, unknown>)["httpTokens"] = "optional";
    (launchTemplates[1]!.inputs["metadataOptions"] as Record<string, unknown>)["httpTokens"] = "[unknown]";
    pick("aws:kms/key:Key", "backup-vault").inputs["enableKeyRotation"] = false;
    const drVault = pick("aws:backup/vault:Vault", "backup-dr");
    drVault.options = { ...drVault.options, protect: false, retainOnDelete: true };
    const vault = pick("aws:backup/vault:Vault", "production-backup");
    vault.options = { ...vault.options, protect: false };
    vault.inputs["tags"] = { Environment: "[unknown]" };
    const bindings = pick("cloudflare:index/workerVersion:WorkerVersion").inputs["bindings"] as Array<{ name: string; text?: string }>;
    bindings.find((b) => b.name === "OPENAI_API_KEY")!.text = "sk-plain-in-the-program";

    const served = await serve("production", resources);
    const audited = audit("production", resources);
    expect(served.violations).toEqual(withoutSecretMarkRules(audited.violations));
    expect(served.violations).toEqual(
        expect.arrayContaining([
            `ec2-imdsv2-required ${launchTemplates[0]!.urn} mandatory`,
            `kms-key-rotation ${pick("aws:kms/key:Key", "backup-vault").urn} mandatory`,
            `protect-stateful-production ${drVault.urn} mandatory`,
        ]),
    );
    // A value unknown at preview, nested or not, is reported as not judged, never as a violation.
    for (const urn of [launchTemplates[1]!.urn, vault.urn]) {
        expect(served.violations.filter((v) => v.split(" ")[1] === urn)).toEqual([]);
        expect(served.notEvaluated.some((k) => k.split(" ")[1] === urn)).toBe(true);
    }
    expect(withoutSecretMarkRules(served.notEvaluated)).toEqual(withoutSecretMarkRules(audited.notEvaluated));
    // The plaintext key: a violation in the audit, "not evaluated" when served.
    expect(audited.violations.filter((v) => v.startsWith("worker-no-plaintext-secrets"))).toHaveLength(1);
    expect(served.notEvaluated.some((k) => k.startsWith("worker-no-plaintext-secrets"))).toBe(true);
    expect(engineLogs.join("\n")).not.toContain("sk-plain-in-the-program");
}, 60_000);

it("PulumiPolicy.yaml says what the engine does", () => {
    const yaml = readFileSync(join(PACK_DIR, "PulumiPolicy.yaml"), "utf8");
    expect(yaml).toMatch(/^runtime: nodejs$/m);
    expect(yaml).not.toMatch(/nodeargs|typescript: false/);
});
