/**
 * The pack, the plan and the audit run the same rules: on the same (deliberately broken)
 * resources they report the same findings; the commands exit 1 naming the broken rule.
 */
import { cpSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PolicyResource as PackResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { evaluate, type PolicyResource } from "../../policies/engine";
import { toPackPolicy } from "../../policies/pack";
import { ALL_RULES } from "../../policies/rules";
import { readAuditInput } from "../../tools/audit";
import { judge, toPolicyResources } from "../../tools/plan/judge";
import { ROOT, runTool } from "../helpers/cli";
import { planOf } from "../helpers/plan";
import { changed, isType, without } from "./harness";
import { scratchDir } from "../helpers/scratch";

const SECRET_SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "AAABAKJ5" };

async function brokenProduction(): Promise<PolicyResource[]> {
    let resources = toPolicyResources((await planOf("production")).resources);
    resources = changed(resources, isType("aws:ec2/launchTemplate:LaunchTemplate", "us-east-1"), (r) => {
        r.inputs["metadataOptions"] = { httpTokens: "optional", httpPutResponseHopLimit: 1 };
    });
    resources = changed(resources, isType("aws:kms/key:Key", "backup-vault"), (r) => {
        r.inputs["enableKeyRotation"] = false;
    });
    return without(resources, isType("aws:backup/vaultLockConfiguration:VaultLockConfiguration", "-dr"));
}

/** The same resources as `pulumi stack export` writes them: secrets as ciphertext objects. */
function asStackExport(resources: readonly PolicyResource[]): string {
    const encrypt = (v: unknown): unknown =>
        v === "[secret]"
            ? SECRET_SIG
            : Array.isArray(v)
              ? v.map(encrypt)
              : v !== null && typeof v === "object"
                ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encrypt(x)]))
                : v;
    const providerUrn = (r: PolicyResource) =>
        resources.find((p) => p.type.startsWith("pulumi:providers:") && p.inputs === r.providerInputs)?.urn;
    return JSON.stringify({
        version: 3,
        deployment: {
            manifest: { time: "2026-11-23T00:00:00Z" },
            resources: resources.map((r) => ({
                urn: r.urn,
                type: r.type,
                custom: true,
                id: `${r.name}-id`,
                inputs: encrypt(r.inputs),
                outputs: {},
                ...(r.options.protect ? { protect: true } : {}),
                ...(r.options.retainOnDelete ? { retainOnDelete: true } : {}),
                ...(providerUrn(r) ? { provider: `${providerUrn(r)}::provider-id` } : {}),
                dependencies: r.dependencies,
                propertyDependencies: r.propertyDependencies,
            })),
        },
    });
}

/** Runs the CrossGuard adapters the way the analyzer calls them. */
function packViolations(resources: readonly PolicyResource[]): string[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const pack = (r: PolicyResource): PackResource =>
        ({
            type: r.type,
            urn: r.urn,
            name: r.name,
            props: r.inputs,
            opts: {
                protect: r.options.protect ?? false,
                ignoreChanges: [],
                aliases: [],
                additionalSecretOutputs: [],
                customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            },
            provider: r.providerInputs ? { type: "pulumi:providers:aws", name: "p", urn: "p", props: r.providerInputs } : undefined,
            dependencies: r.dependencies.map((d) => byUrn.get(d)).filter(Boolean),
            propertyDependencies: Object.fromEntries(
                Object.entries(r.propertyDependencies).map(([k, urns]) => [k, urns.map((u) => byUrn.get(u)).filter(Boolean)]),
            ),
            isType: () => false,
            asType: () => undefined,
        }) as unknown as PackResource;
    const reported: string[] = [];
    for (const rule of ALL_RULES) {
        const policy = toPackPolicy(rule) as ResourceValidationPolicy & StackValidationPolicy;
        if (policy.validateResource) {
            for (const r of resources)
                void (policy.validateResource as (a: unknown, f: (m: string) => void) => void)({ ...pack(r), stackTags: new Map() }, (m) =>
                    reported.push(`${rule.name}|${r.urn}|${m}`),
                );
        } else {
            void (policy.validateStack as (a: unknown, f: (m: string, urn?: string) => void) => void)(
                { resources: resources.map(pack), stackTags: new Map() },
                (m, urn) => reported.push(`${rule.name}|${urn ?? ""}|${m}`),
            );
        }
    }
    return reported.sort();
}

it("the pack, the plan and the audit of a stack export report the same violations", async () => {
    const resources = await brokenProduction();
    const plan = evaluate(ALL_RULES, resources, { stack: "production", secretsMarked: true }, { all: "mandatory" })
        .filter((f) => f.status === "violation")
        .map((f) => `${f.policy}|${f.resource?.urn ?? ""}|${f.message}`)
        .sort();
    expect(plan.map((p) => p.split("|")[0])).toEqual(
        expect.arrayContaining(["backup-vault-locked", "ec2-imdsv2-required", "kms-key-rotation"]),
    );

    expect(packViolations(resources)).toEqual(plan);

    const audit = readAuditInput(asStackExport(resources));
    expect(audit.stack).toBe("production");
    const audited = judge(audit.stack, audit.resources, { all: "mandatory" })
        .filter((f) => f.status === "violation")
        .map((f) => `${f.policy}|${f.resource?.urn ?? ""}|${f.message}`)
        .sort();
    expect(audited).toEqual(plan);
});

it("npm run audit exits 1 naming each violation of a stack export, and flags a bare string where a secret belongs", async () => {
    const resources = changed(await brokenProduction(), isType("cloudflare:index/workerVersion:WorkerVersion"), (v) => {
        (v.inputs["bindings"] as Array<{ name: string; text?: string }>).find((b) => b.name === "ANTHROPIC_API_KEY")!.text =
            "sk-ant-in-clear";
    });
    const dir = scratchDir("audit");
    writeFileSync(join(dir, "export.json"), asStackExport(resources));
    const result = runTool("audit", [join(dir, "export.json")]);
    expect(result.status).toBe(1);
    for (const rule of ["ec2-imdsv2-required", "kms-key-rotation", "backup-vault-locked", "worker-no-plaintext-secrets"])
        expect(result.stdout).toContain(rule);
    expect(result.stdout).toContain("ANTHROPIC_API_KEY is not a Pulumi secret");
    expect(result.stdout).not.toContain("sk-ant-in-clear");
    expect(runTool("audit", [join(dir, "missing.json")]).status).toBe(2);
});

it("the plan of a copy of the repository whose fleet drops IMDSv2 exits 1 naming the rule", () => {
    const copy = scratchDir("broken-repo");
    cpSync(ROOT, copy, { recursive: true, filter: (src) => !/[/\\](node_modules|\.git)([/\\]|$)/.test(src) });
    symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"), "dir");
    const fleet = join(copy, "components", "fleet", "autoScalingFleet.ts");
    const source = readFileSync(fleet, "utf8");
    expect(source).toContain('httpTokens: "required"');
    writeFileSync(fleet, source.replace('httpTokens: "required"', 'httpTokens: "optional"'));

    const result = runTool("plan", ["production"], copy);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/Mandatory violations \(2\)/);
    expect(result.stdout).toContain("ec2-imdsv2-required");
    expect(result.stdout).toContain('EC2 instance metadata must require IMDSv2 with hop limit 1: httpTokens is "optional".');
});
