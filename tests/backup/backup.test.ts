import { BACKUP_TIERS, SEED_OBJECTIVES, scheduleIntervalMinutes } from "../../policies/lib/backupMatrix";
import { tierRules } from "../../components/backup/planRules";
import { validateConfig } from "../../config/load";
import { problemsOf, rawOf, withKey, withKeys } from "../helpers/config";
import { selectionMatches } from "../../policies/lib/resources";
import { input, ofType, oneOfType, planOf, STACKS } from "../helpers/plan";

interface Rule {
    ruleName: string;
    schedule: string;
    enableContinuousBackup: boolean;
    lifecycle: { deleteAfter: number; coldStorageAfter?: number };
    copyActions: Array<{ destinationVaultArn: string; lifecycle: { deleteAfter: number } }>;
}
const rulesOf = (plan: { inputs: Record<string, unknown> }) => plan.inputs["rules"] as Rule[];

describe.each(STACKS)("backup of %s", (stack) => {
    it("encrypts every vault with a customer-managed key, and every key rotates", async () => {
        const { resources } = await planOf(stack);
        for (const vault of ofType(resources, "aws:backup/vault:Vault"))
            expect(vault.inputs["kmsKeyArn"]).toMatch(/^arn:aws:kms:[a-z0-9-]+:\d{12}:key\//);
        for (const key of ofType(resources, "aws:kms/key:Key")) {
            expect(key.inputs["enableKeyRotation"]).toBe(true);
            const statements = JSON.parse(String(key.inputs["policy"])).Statement as Array<{
                Principal: unknown;
                Action: unknown;
                Condition?: unknown;
            }>;
            expect(statements.filter((st) => JSON.stringify(st.Principal) === '{"AWS":"*"}' && !st.Condition)).toEqual([]);
        }
    });

    it("gives each tier a plan whose schedule meets its RPO and whose retention meets its minimum", async () => {
        const { resources } = await planOf(stack);
        for (const tier of BACKUP_TIERS) {
            const [main] = rulesOf(oneOfType(resources, "aws:backup/plan:Plan", `-backup-${tier}`));
            const interval = scheduleIntervalMinutes(main!.schedule)!;
            expect(interval <= SEED_OBJECTIVES[tier].rpoMinutes || main!.enableContinuousBackup).toBe(true);
            expect(main!.lifecycle.deleteAfter).toBeGreaterThanOrEqual(SEED_OBJECTIVES[tier].minRetentionDays);
        }
    });

    it("selects the resources the fleet launches by their BackupTier and Environment tags", async () => {
        const { resources } = await planOf(stack);
        const selections = ofType(resources, "aws:backup/selection:Selection");
        for (const lt of ofType(resources, "aws:ec2/launchTemplate:LaunchTemplate")) {
            for (const spec of input(lt, "tagSpecifications") as Array<{ tags: Record<string, string> }>) {
                expect(selections.filter((s) => selectionMatches(s.inputs, spec.tags)).map((s) => s.inputs["name"])).toEqual([
                    `ops-platform-${stack}-${spec.tags["BackupTier"]}`,
                ]);
                expect(selections.filter((s) => selectionMatches(s.inputs, { ...spec.tags, Environment: "another" }))).toEqual([]);
            }
        }
        expect(selections).toHaveLength(4);
    });

    it("reports failed jobs, and only failed ones, by email (Alertmanager pages for them: BackupJobFailed)", async () => {
        const { resources, config } = await planOf(stack);
        const notifications = oneOfType(resources, "aws:backup/vaultNotifications:VaultNotifications");
        expect(notifications.inputs["backupVaultEvents"]).toEqual(
            expect.arrayContaining(["BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED", "RESTORE_JOB_COMPLETED"]),
        );
        const topicArn = String(notifications.inputs["snsTopicArn"]);
        expect(topicArn).toMatch(new RegExp(`^arn:aws:sns:us-east-1:111122223333:topic/ops-platform-${stack}-backup-jobs-alarms`));
        const subscriptions = ofType(resources, "aws:sns/topicSubscription:TopicSubscription").filter((s) =>
            s.name.startsWith(`ops-platform-${stack}-backup-jobs`),
        );
        expect(subscriptions.map((s) => s.inputs["endpoint"])).toEqual(config.alerting.emails);
        for (const s of subscriptions)
            // An event without a State attribute (S3 object and copy failures) must not be dropped.
            expect(JSON.parse(String(s.inputs["filterPolicy"]))).toEqual({ State: [{ "anything-but": "COMPLETED" }, { exists: false }] });
    });
});

it("locks vaults in compliance mode in production, governance in staging, not at all in dev", async () => {
    const locks = async (stack: string) =>
        ofType((await planOf(stack)).resources, "aws:backup/vaultLockConfiguration:VaultLockConfiguration").map((l) => l.inputs);
    const production = await locks("production");
    expect(production).toHaveLength(2);
    for (const lock of production) expect(lock).toMatchObject({ minRetentionDays: 7, maxRetentionDays: 2555, changeableForDays: 3 });
    const staging = await locks("staging");
    expect(staging).toEqual([expect.objectContaining({ minRetentionDays: 7, maxRetentionDays: 2555 })]);
    expect(staging[0]!["changeableForDays"]).toBeUndefined();
    expect(await locks("dev")).toEqual([]);
});

it("copies every production rule to the DR vault, keeping copies as long as the source", async () => {
    const { resources } = await planOf("production");
    const drVault = ofType(resources, "aws:backup/vault:Vault").find((v) => v.name.endsWith("-dr"))!;
    expect(drVault.options.provider).toMatch(/aws-us-west-2$/);
    const drArn = "arn:aws:backup:us-west-2:111122223333:backup-vault:ops-platform-production-dr";
    for (const plan of ofType(resources, "aws:backup/plan:Plan")) {
        for (const rule of rulesOf(plan)) {
            expect(rule.copyActions).toEqual([
                { destinationVaultArn: drArn, lifecycle: expect.objectContaining({ deleteAfter: rule.lifecycle.deleteAfter }) },
            ]);
        }
    }
    const policy = JSON.parse(String(oneOfType(resources, "aws:backup/vaultPolicy:VaultPolicy", "backup-dr").inputs["policy"]));
    expect(policy.Statement[0]).toMatchObject({
        Effect: "Deny",
        Action: expect.arrayContaining(["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"]),
    });
});

it("tests restores monthly in production and runs the audit framework's controls", async () => {
    const { resources } = await planOf("production");
    expect(oneOfType(resources, "aws:backup/restoreTestingPlan:RestoreTestingPlan").inputs["scheduleExpression"]).toBe("cron(0 5 1 * ? *)");
    expect(ofType(resources, "aws:backup/restoreTestingSelection:RestoreTestingSelection")).toHaveLength(2);
    const controls = (oneOfType(resources, "aws:backup/framework:Framework").inputs["controls"] as Array<{ name: string }>).map(
        (c) => c.name,
    );
    expect(new Set(controls)).toEqual(
        new Set([
            "BACKUP_RECOVERY_POINT_ENCRYPTED",
            "BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED",
            "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN",
            "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK",
            "RESTORE_TIME_FOR_RESOURCES_MEET_TARGET",
            "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK",
            "BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION",
        ]),
    );
});

describe("tier rules", () => {
    const config = validateConfig(rawOf("production")).backup;
    it("adds GFS rules to the critical tier, with cold storage only where 90 days fit before deletion", () => {
        const rules = tierRules("critical", config.tiers.critical, config.gfs);
        expect(rules.map((r) => [r.ruleName, r.deleteAfterDays, r.coldStorageAfterDays])).toEqual([
            ["critical-continuous", 30, undefined],
            ["critical-gfs-daily", 7, undefined],
            ["critical-gfs-weekly", 28, undefined],
            ["critical-gfs-monthly", 365, 7],
            ["critical-gfs-yearly", 2555, 7],
        ]);
    });
});

describe("backup config that breaks the matrix is refused", () => {
    const tiers = (critical: Record<string, unknown>) => withKey("production", "backup", { tiers: { critical } }, true);
    it.each([
        [
            "a schedule that cannot meet the RPO",
            { continuous: false },
            "production: ops-platform:backup.tiers.critical.schedule: runs every 1 h, which cannot meet the tier's RPO of 15 min",
        ],
        [
            "retention below the tier's minimum",
            { retentionDays: 10 },
            "production: ops-platform:backup.tiers.critical.retentionDays: 10 is below the critical tier's minimum of 30 days",
        ],
        [
            "cold storage that breaks AWS's 90 days",
            { continuous: false, schedule: "cron(0 * * * ? *)", coldStorageAfterDays: 7 },
            "production: ops-platform:backup.tiers.critical.coldStorageAfterDays: cold storage after 7 days needs a retention of at least 97 days",
        ],
        [
            "an unreadable schedule",
            { schedule: "every hour" },
            'production: ops-platform:backup.tiers.critical.schedule: string "every hour": expected an AWS Backup cron expression such as cron(0 5 ? * * *); AWS Backup takes no rate()',
        ],
        // AWS Backup's API takes cron only (hashicorp/terraform-provider-aws#8269): a rate, even a valid one, is refused.
        [
            "a rate of zero days",
            { schedule: "rate(0 days)" },
            'production: ops-platform:backup.tiers.critical.schedule: string "rate(0 days)": expected an AWS Backup cron expression',
        ],
        [
            "a rate AWS Backup does not take",
            { schedule: "rate(1 hour)" },
            'production: ops-platform:backup.tiers.critical.schedule: string "rate(1 hour)": expected an AWS Backup cron expression',
        ],
        [
            "a cron more often than hourly",
            { schedule: "cron(0/15 * * * ? *)" },
            'production: ops-platform:backup.tiers.critical.schedule: "cron(0/15 * * * ? *)" is not an AWS Backup schedule; expected cron(m h dom mon dow y) with one minute value (AWS Backup runs a rule at most once an hour)',
        ],
    ])("%s", (_, critical, expected) => {
        expect(problemsOf(tiers(critical)).join("\n")).toContain(expected);
    });

    it("refuses a cross-region copy without a standby region", () => {
        expect(problemsOf(withKey("dev", "backup", { crossRegionCopy: true }, true)).join("\n")).toContain(
            "dev: ops-platform:backup.crossRegionCopy: is true but no region has standby: true",
        );
    });
});

describe("scheduleIntervalMinutes", () => {
    it.each([
        ["cron(0 * * * ? *)", 60],
        ["cron(0 2 * * ? *)", 1440],
        ["cron(0 2,14 * * ? *)", 720],
        ["cron(0 2 ? * SUN *)", 10080],
        ["cron(0 5 1 * ? *)", 44640],
        ["rate(15 minutes)", 15],
        ["rate(12 hours)", 720],
        ["whenever", undefined],
    ])("%s -> %s", (expression, minutes) => {
        expect(scheduleIntervalMinutes(expression)).toBe(minutes);
    });
});

describe("what AWS Backup does with the fleet's instances (docs/provider-rules.md)", () => {
    it("backs an instance up once: its volumes are in its AMI, so the selections leave volumes out", async () => {
        for (const selection of ofType((await planOf("production")).resources, "aws:backup/selection:Selection")) {
            expect([selection.name, selection.inputs["notResources"]]).toEqual([selection.name, ["arn:aws:ec2:*:*:volume/*"]]);
            expect(selection.options.deleteBeforeReplace).toBe(true);
        }
    });

    it("lets the restore role pass the instances' roles, to EC2 only, without relying on the managed policy", async () => {
        const { resources } = await planOf("production");
        const passRole = oneOfType(resources, "aws:iam/rolePolicy:RolePolicy", "pass-instance-roles");
        const instanceRoles = ofType(resources, "aws:iam/role:Role").filter((r) => r.name.endsWith("-web-instance"));
        expect(instanceRoles).toHaveLength(2);
        const statement = JSON.parse(String(passRole.inputs["policy"])).Statement[0];
        expect(statement).toMatchObject({
            Effect: "Allow",
            Action: "iam:PassRole",
            Condition: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } },
        });
        expect(statement.Resource).toHaveLength(instanceRoles.length);
    });

    it.each([
        [
            "a tier whose RPO EC2 cannot meet",
            { backupTier: "critical" },
            {},
            "production: ops-platform:fleet.backupTier: critical promises an RPO of 15 min, which EC2 cannot meet",
        ],
        [
            "cold storage, which AWS Backup ignores for EC2",
            {},
            { tiers: { high: { retentionDays: 120, coldStorageAfterDays: 7 } } },
            "production: ops-platform:backup.tiers.high.coldStorageAfterDays: the fleet's tier moves recovery points to cold storage, which AWS Backup ignores for EC2",
        ],
    ])("refuses for the fleet %s", (_, fleet, backup, expected) => {
        expect(problemsOf(withKeys("production", { fleet, backup }, true)).join("\n")).toContain(expected);
    });

    it("tells the deletion-disabled control that the break-glass role is exempt, as the vault policy is", async () => {
        const { resources, config } = await planOf("production");
        const controls = input(oneOfType(resources, "aws:backup/framework:Framework"), "controls") as Array<{
            name: string;
            inputParameters?: Array<{ name: string; value: string }>;
        }>;
        expect(controls.find((c) => c.name === "BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED")!.inputParameters).toEqual([
            { name: "principalArnList", value: `arn:aws:iam::111122223333:role/${config.backup.breakGlassRoleName}` },
        ]);
    });

    it("lets AWS Backup publish job events under its documented topic policy, and CloudWatch under aws:SourceAccount", async () => {
        const policy = oneOfType((await planOf("production")).resources, "aws:sns/topicPolicy:TopicPolicy", "backup-jobs");
        const statements = JSON.parse(String(policy.inputs["policy"])).Statement as Array<{
            Principal: { Service: string | string[] };
            Condition?: unknown;
        }>;
        expect(statements.map((s) => [s.Principal.Service, s.Condition ?? null])).toEqual([
            [["cloudwatch.amazonaws.com", "events.amazonaws.com"], { StringEquals: { "aws:SourceAccount": "111122223333" } }],
            ["backup.amazonaws.com", null],
        ]);
    });
});
