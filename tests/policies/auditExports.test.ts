/**
 * `npm run audit` on stack exports of programs that are not this one: names given as literals,
 * no recorded dependencies, tiers carried by selections instead of recovery-point tags.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { readAuditInput } from "../../tools/audit";
import { runTool } from "../helpers/cli";
import { judge } from "../../tools/plan/judge";
import { scratchDir } from "../helpers/scratch";

const ACCOUNT = "111122223333";
const urn = (type: string, name: string) => `urn:pulumi:production::other::${type}::${name}`;

interface Exported {
    type: string;
    name: string;
    id: string;
    inputs: Record<string, unknown>;
    protect?: boolean;
    dependencies?: string[];
}

const vault = (name: string, region = "us-east-1"): Exported => ({
    type: "aws:backup/vault:Vault",
    name,
    id: name,
    protect: true,
    inputs: {
        name,
        arn: `arn:aws:backup:${region}:${ACCOUNT}:backup-vault:${name}`,
        kmsKeyArn: `arn:aws:kms:${region}:${ACCOUNT}:key/1`,
        tags: { Environment: "production" },
    },
});
const lock = (vaultName: string, min: number, max: number): Exported => ({
    type: "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
    name: `${vaultName}-lock`,
    id: vaultName,
    inputs: { backupVaultName: vaultName, minRetentionDays: min, maxRetentionDays: max, changeableForDays: 3 },
});
const plan = (name: string, rules: Array<Record<string, unknown>>): Exported => ({
    type: "aws:backup/plan:Plan",
    name,
    id: `plan-id-${name}`,
    inputs: { name, rules, tags: { Environment: "production" } },
});
const rule = (ruleName: string, targetVaultName: string, deleteAfter: number, extra: Record<string, unknown> = {}) => ({
    ruleName,
    targetVaultName,
    schedule: "cron(0 * * * ? *)",
    lifecycle: { deleteAfter },
    ...extra,
});
const selection = (name: string, planId: string, tier: string): Exported => ({
    type: "aws:backup/selection:Selection",
    name,
    id: `sel-${name}`,
    inputs: {
        name,
        planId,
        iamRoleArn: `arn:aws:iam::${ACCOUNT}:role/backup`,
        resources: ["*"],
        conditions: [{ stringEquals: [{ key: "aws:ResourceTag/BackupTier", value: tier }] }],
    },
});

function findingsOf(resources: Exported[], policy: string) {
    const deployment = {
        resources: resources.map((r) => ({
            urn: urn(r.type, r.name),
            type: r.type,
            id: r.id,
            custom: true,
            inputs: r.inputs,
            outputs: {},
            protect: r.protect,
            dependencies: r.dependencies ?? [],
        })),
    };
    const input = readAuditInput(JSON.stringify({ version: 3, deployment }));
    return judge(input.stack, input.resources, { all: "mandatory" }).filter((f) => f.policy === policy);
}

describe("a rule's tier comes from its recovery-point tag, else from the selection that points at its plan", () => {
    it("judges an untagged rule by the tier its plan's selection picks", () => {
        const p = plan("db-backups", [rule("hourly", "main", 7)]);
        const findings = findingsOf([p, selection("db", p.id, "high")], "backup-plan-frequency-and-retention");
        expect(findings).toEqual([]);
        const tooShort = plan("db-backups", [rule("hourly", "main", 3)]);
        expect(
            findingsOf([tooShort, selection("db", tooShort.id, "high")], "backup-plan-frequency-and-retention").map((f) => f.message),
        ).toEqual(["Backup rule hourly of plan db-backups must meet its tier: it keeps points 3 days, below the high minimum of 7."]);
    });

    it("says the tier is unknown only when no selection points at the plan", () => {
        const p = plan("orphan", [rule("hourly", "main", 7)]);
        expect(findingsOf([p], "backup-plan-frequency-and-retention").map((f) => f.message)).toEqual([
            "Backup rule hourly of plan orphan has no tier: tag its recovery points with BackupTier (one of critical, high, medium, low) or select the plan's resources by it.",
        ]);
    });
});

describe("a vault's lock and policy are found by the vault's name when no dependency is recorded", () => {
    it("finds the lock named after the vault", () => {
        expect(findingsOf([vault("main"), lock("main", 7, 35)], "backup-vault-locked")).toEqual([]);
        expect(findingsOf([vault("main"), lock("elsewhere", 7, 35)], "backup-vault-locked").map((f) => f.message)).toEqual([
            "Production backup vault must be locked (aws.backup.VaultLockConfiguration).",
        ]);
    });

    it("finds the access policy named after the vault", () => {
        const policy = { Statement: [{ Effect: "Deny", Principal: "*", Action: ["backup:DeleteRecoveryPoint"], Resource: "*" }] };
        const vaultPolicy: Exported = {
            type: "aws:backup/vaultPolicy:VaultPolicy",
            name: "main-policy",
            id: "main",
            inputs: { backupVaultName: "main", policy: JSON.stringify(policy) },
        };
        expect(findingsOf([vault("main"), vaultPolicy], "backup-vault-deletion-denied")).toEqual([]);
    });
});

describe("a rule's retention is judged against the lock of the vault it writes to", () => {
    const resources = [vault("short"), lock("short", 1, 14), vault("long", "us-west-2"), lock("long", 30, 400)];

    it("does not judge a rule against another vault's lock", () => {
        const p = plan("archive", [rule("monthly", "long", 365)]);
        expect(findingsOf([...resources, p, selection("a", p.id, "low")], "backup-vault-locked")).toEqual([]);
    });

    it("judges a copy against its destination's lock, naming the plan and rule", () => {
        const p = plan("apps", [
            rule("daily", "short", 7, {
                copyActions: [
                    { destinationVaultArn: `arn:aws:backup:us-west-2:${ACCOUNT}:backup-vault:long`, lifecycle: { deleteAfter: 7 } },
                ],
            }),
        ]);
        expect(
            findingsOf([...resources, p, selection("b", p.id, "high")], "backup-vault-locked").map((f) => [f.resource?.name, f.message]),
        ).toEqual([
            // The plan is what must change, so the finding is the plan's, not the vault's.
            ["apps", "Retention written to vault long must lie inside its lock's 30..400 days: copies of rule daily of plan apps keeps 7."],
        ]);
    });
});

describe("what the audit cannot read is not evaluated, never a violation", () => {
    const launchTemplate = (metadataOptions: unknown): Exported => ({
        type: "aws:ec2/launchTemplate:LaunchTemplate",
        name: "web",
        id: "lt-1",
        inputs: { metadataOptions, tags: { Environment: "production" } },
    });
    const SECRET_OBJECT = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc" };

    it("judges a launch template's IMDSv2 settings it can read", () => {
        expect(
            findingsOf([launchTemplate({ httpTokens: "optional", httpPutResponseHopLimit: 1 })], "ec2-imdsv2-required").map(
                (f) => f.status,
            ),
        ).toEqual(["violation"]);
        expect(findingsOf([launchTemplate({ httpTokens: "required", httpPutResponseHopLimit: 1 })], "ec2-imdsv2-required")).toEqual([]);
    });

    it("reports metadata options held as a Pulumi secret as not evaluated", () => {
        expect(findingsOf([launchTemplate(SECRET_OBJECT)], "ec2-imdsv2-required").map((f) => [f.status, f.message])).toEqual([
            ["not-evaluated", "not evaluated: web.metadataOptions held as a secret, not visible here"],
        ]);
    });
});

describe("a malformed file is a usage error (exit 2) naming the resource and field, never a crash", () => {
    const dir = scratchDir("bad-export");
    const sg = (ingress: unknown) => ({
        urn: urn("aws:ec2/securityGroup:SecurityGroup", "web"),
        type: "aws:ec2/securityGroup:SecurityGroup",
        custom: true,
        inputs: { vpcId: "vpc-1", ingress },
    });

    it.each([
        ["a resource without a urn", [{ type: "aws:ec2/vpc:Vpc", inputs: {} }], "resource 0: urn is missing; expected text"],
        [
            "inputs that are not an object",
            [{ urn: urn("aws:ec2/vpc:Vpc", "v"), type: "aws:ec2/vpc:Vpc", inputs: "cidr" }],
            `${urn("aws:ec2/vpc:Vpc", "v")}: inputs is "cidr"; expected an object`,
        ],
        [
            "an ingress that is a string",
            [sg("0.0.0.0/0")],
            'web.ingress: expected a list, found string "0.0.0.0/0" (rule no-public-ingress reads it)',
        ],
    ])("%s", (_, resources, message) => {
        const file = join(dir, `${message.length}.json`);
        writeFileSync(file, JSON.stringify({ version: 3, deployment: { resources } }));
        const result = runTool("audit", [file]);
        expect([result.status, result.stdout]).toEqual([2, ""]);
        expect(result.stderr).toContain(message);
        expect(result.stderr).not.toMatch(/TypeError|at .*\.ts:\d+/);
    });
});
