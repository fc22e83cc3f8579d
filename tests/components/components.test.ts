/**
 * Every reusable component works alone: built outside Platform with minimal arguments, it
 * declares its resources under itself, names them from its own name, and applies the schema's
 * defaults (config/schema.ts is the only place a default is written).
 */
import type { PlannedResource } from "../../tools/plan/capture";
import { Backup, BackupPlan, BackupVault, RestoreTests } from "../../components/backup";
import { Edge, EdgeLoadBalancer, EdgeNotifications, GatewayWorker, KvNamespaces, R2Bucket } from "../../components/edge";
import { AlarmTopic } from "../../components/alerting";
import { ApplicationLoadBalancer, AutoScalingFleet, Fleet, FleetAlarms, Patching } from "../../components/fleet";
import { waveAutomation } from "../../components/fleet/patching";
import {
    CLOUDWATCH_EXPORTER_ACTIONS,
    CloudflareExporter,
    CloudWatchExporter,
    GatewayAnalyticsExporter,
    Monitoring,
} from "../../components/monitoring";
import { WorkerLogs } from "../../components/edge/workerLogs";
import { Network } from "../../components/network";
import { CONFIG_SECTIONS } from "../../config/schema";
import { sectionSettings } from "../../config/sections";
import { planDiff } from "../../tools/plan/diff";
import { toDocument } from "../../tools/plan/document";
import { captureComponent } from "../helpers/capture";
import { input, ofType, oneOfType } from "../helpers/plan";

const DEFAULTS = Object.fromEntries(Object.entries(CONFIG_SECTIONS).map(([k, schema]) => [k, schema.parse(undefined)])) as {
    [K in keyof typeof CONFIG_SECTIONS]: ReturnType<(typeof CONFIG_SECTIONS)[K]["parse"]>;
};
const TAGS = { Environment: "dev", Service: "svc", Owner: "t", CostCenter: "c", ManagedBy: "pulumi" };
const ACCOUNT = { accountId: "0123456789abcdef0123456789abcdef", zoneId: "fedcba9876543210fedcba9876543210" };

/** The component's own resources: every custom resource under it, each named from its name. */
function declaredBy(resources: PlannedResource[], componentType: string, name: string): PlannedResource[] {
    const component = resources.find((r) => r.type === componentType && r.name === name);
    if (!component) throw new Error(`no ${componentType} named ${name}`);
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const under = (r: PlannedResource): boolean =>
        r.parent === component.urn || (r.parent !== undefined && byUrn.has(r.parent) && under(byUrn.get(r.parent)!));
    const custom = resources.filter((r) => !r.type.startsWith("ops-platform:") && r.urn !== component.urn);
    for (const r of custom) {
        expect(under(r)).toBe(true);
        expect(r.name.startsWith(name)).toBe(true);
    }
    return custom;
}

const count = (resources: PlannedResource[]) =>
    Object.fromEntries(
        [...new Set(resources.map((r) => r.type))].sort().map((t) => [t.split(":").at(-1)!, resources.filter((r) => r.type === t).length]),
    );

describe("fleet components alone", () => {
    it("ApplicationLoadBalancer: HTTPS with the default TLS policy, HTTP redirect, /health target group, access logs", async () => {
        const resources = declaredBy(
            await captureComponent(
                "dev",
                () =>
                    void new ApplicationLoadBalancer("web", {
                        vpcId: "vpc-1",
                        subnetIds: ["subnet-a"],
                        certificateArn: "arn:aws:acm:us-east-1:1:certificate/x",
                    }),
            ),
            "ops-platform:fleet:ApplicationLoadBalancer",
            "web",
        );
        expect(count(resources)).toMatchObject({
            LoadBalancer: 1,
            Listener: 2,
            TargetGroup: 1,
            SecurityGroup: 1,
            SecurityGroupIngressRule: 2,
            Bucket: 1,
            BucketPolicy: 1,
        });
        expect(oneOfType(resources, "aws:lb/listener:Listener", "https").inputs["sslPolicy"]).toBe(DEFAULTS.fleet.sslPolicy);
        expect(oneOfType(resources, "aws:lb/loadBalancer:LoadBalancer").inputs).toMatchObject({
            enableDeletionProtection: true,
            accessLogs: { enabled: true, prefix: "web" },
        });
        expect(oneOfType(resources, "aws:s3/bucket:Bucket").options.protect).toBe(true);
        // The log-delivery service principal, which ELB supports in every Region since 2025-09 (docs/provider-rules.md).
        const [delivery] = JSON.parse(String(oneOfType(resources, "aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])).Statement;
        expect(delivery).toMatchObject({
            Effect: "Allow",
            Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
            Action: "s3:PutObject",
        });
    });

    it("ApplicationLoadBalancer without access logs declares no bucket", async () => {
        const resources = await captureComponent(
            "dev",
            () =>
                void new ApplicationLoadBalancer("web", {
                    vpcId: "vpc-1",
                    subnetIds: ["subnet-a"],
                    certificateArn: "arn:x",
                    settings: { accessLogs: false },
                }),
        );
        expect(ofType(resources, "aws:s3/bucket:Bucket")).toEqual([]);
    });

    it("AutoScalingFleet: IMDSv2 launch template, default size and instance type, the load balancer as its only way in", async () => {
        const resources = declaredBy(
            await captureComponent(
                "dev",
                () =>
                    void new AutoScalingFleet("web", {
                        vpcId: "vpc-1",
                        subnetIds: ["subnet-c"],
                        loadBalancer: { securityGroupId: "sg-lb", targetGroupArn: "arn:tg" },
                        tags: TAGS,
                        patchGroup: "web",
                    }),
            ),
            "ops-platform:fleet:AutoScalingFleet",
            "web",
        );
        expect(count(resources)).toMatchObject({ LaunchTemplate: 1, Group: 1, Policy: 1, SecurityGroup: 1, Role: 1, InstanceProfile: 1 });
        const lt = oneOfType(resources, "aws:ec2/launchTemplate:LaunchTemplate");
        expect(lt.inputs).toMatchObject({
            instanceType: DEFAULTS.fleet.instanceType,
            metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
        });
        const asg = oneOfType(resources, "aws:autoscaling/group:Group");
        expect(asg.inputs).toMatchObject({
            minSize: DEFAULTS.fleet.size.minSize,
            maxSize: DEFAULTS.fleet.size.maxSize,
            targetGroupArns: ["arn:tg"],
        });
        const ingress = ofType(resources, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
        expect(ingress.map((r) => r.inputs["referencedSecurityGroupId"])).toEqual(["sg-lb"]);
    });

    it("AutoScalingFleet as a standby takes the standby size, and opens SSH only to the configured range", async () => {
        const resources = await captureComponent(
            "dev",
            () =>
                void new AutoScalingFleet("web", {
                    vpcId: "vpc-1",
                    subnetIds: ["s"],
                    loadBalancer: { securityGroupId: "sg-lb", targetGroupArn: "arn:tg" },
                    tags: TAGS,
                    patchGroup: "web",
                    standby: true,
                    settings: { sshCidr: "10.1.0.0/16" },
                }),
        );
        expect(oneOfType(resources, "aws:autoscaling/group:Group").inputs).toMatchObject({
            minSize: DEFAULTS.fleet.standbySize.minSize,
            maxSize: DEFAULTS.fleet.standbySize.maxSize,
        });
        const ssh = ofType(resources, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
            (r) => r.inputs["fromPort"] === 22,
        );
        expect(ssh.map((r) => r.inputs["cidrIpv4"])).toEqual(["10.1.0.0/16"]);
    });

    it("AlarmTopic: its own rotating key, and email subscriptions", async () => {
        const bare = declaredBy(await captureComponent("dev", () => void new AlarmTopic("web")), "ops-platform:alerting:AlarmTopic", "web");
        expect(count(bare)).toEqual({ Key: 1, Topic: 1, TopicPolicy: 1 });
        expect(oneOfType(bare, "aws:kms/key:Key").inputs["enableKeyRotation"]).toBe(true);
        const full = await captureComponent("dev", () => void new AlarmTopic("web", { emails: ["a@example.com"] }));
        const subscriptions = ofType(full, "aws:sns/topicSubscription:TopicSubscription");
        expect(subscriptions.map((s) => [s.inputs["protocol"], s.inputs["endpoint"]])).toEqual([["email", "a@example.com"]]);
    });

    it("FleetAlarms: the 5xx ratio, unhealthy hosts and CPU alarms at the schema's thresholds", async () => {
        const resources = declaredBy(
            await captureComponent(
                "dev",
                () =>
                    void new FleetAlarms("web", {
                        topicArn: "arn:topic",
                        loadBalancer: { arnSuffix: "app/x/1", targetGroupArnSuffix: "targetgroup/x/1" },
                        asgName: "asg",
                    }),
            ),
            "ops-platform:fleet:FleetAlarms",
            "web",
        );
        expect(resources.map((r) => [r.name, r.inputs["threshold"]]).sort()).toEqual([
            ["web-5xx-ratio", DEFAULTS.fleet.alarms.error5xxRatio],
            ["web-cpu", DEFAULTS.fleet.alarms.cpuPercent],
            ["web-unhealthy-hosts", 0],
        ]);
        for (const alarm of resources) expect(alarm.inputs["alarmActions"]).toEqual(["arn:topic"]);
    });

    it("Patching: one window a day per wave, each an Automation that checks the alarms before it patches its share", async () => {
        const resources = declaredBy(
            await captureComponent(
                "dev",
                () => void new Patching("web", { patchGroup: "web", alarmNames: ["web-5xx", "web-cpu"], alarmTopicArn: "arn:topic" }),
            ),
            "ops-platform:fleet:Patching",
            "web",
        );
        expect(count(resources)).toEqual({
            Document: 1,
            EventRule: 1,
            EventTarget: 1,
            MaintenanceWindow: 3,
            MaintenanceWindowTask: 3,
            PatchBaseline: 1,
            PatchGroup: 1,
            Role: 1,
            RolePolicy: 1,
        });
        // The source documents' production rollout, a day apart from the configured window.
        expect(ofType(resources, "aws:ssm/maintenanceWindow:MaintenanceWindow").map((w) => w.inputs["schedule"])).toEqual([
            "cron(0 3 ? * WED *)",
            "cron(0 3 ? * THU *)",
            "cron(0 3 ? * FRI *)",
        ]);
        const document = oneOfType(resources, "aws:ssm/document:Document");
        const tasks = ofType(resources, "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask");
        for (const [i, task] of tasks.entries()) {
            expect(task.inputs).toMatchObject({ taskType: "AUTOMATION", taskArn: document.inputs["name"] });
            // AWS refuses rate controls on a task without targets (terraform-provider-aws#19396).
            expect([task.inputs["maxConcurrency"], task.inputs["maxErrors"]]).toEqual([undefined, undefined]);
            const parameters = Object.fromEntries(
                (input(task, "taskInvocationParameters.automationParameters.parameters") as Array<{ name: string; values: string[] }>).map(
                    (p) => [p.name, p.values],
                ),
            );
            expect(parameters).toMatchObject({
                Wave: [String(i + 1)],
                Shares: ["10,50,100"],
                AlarmNames: ["web-5xx", "web-cpu"],
                MaxConcurrency: ["10%"],
            });
        }
        // The plan shows the document's content by digest; its steps are waveAutomation's.
        const steps = (waveAutomation("web") as { mainSteps: Array<{ name: string; action: string; inputs: Record<string, unknown> }> })
            .mainSteps;
        expect(steps.map((s) => [s.name, s.action])).toEqual([
            ["chooseInstances", "aws:executeScript"],
            ["anyToPatch", "aws:branch"],
            ["patch", "aws:runCommand"],
        ]);
        expect(steps[2]!.inputs).toMatchObject({ DocumentName: "AWS-RunPatchBaseline", MaxErrors: "0" });
        // The window starts the Automation as its role and passes that role on; the script reads patch states.
        const statements = JSON.parse(String(oneOfType(resources, "aws:iam/rolePolicy:RolePolicy").inputs["policy"])).Statement as Array<{
            Action: string | string[];
            Resource: string | string[];
        }>;
        const actions = statements.flatMap((s) => s.Action);
        expect(actions).toEqual(
            expect.arrayContaining(["ssm:StartAutomationExecution", "ssm:DescribeInstancePatchStates", "iam:PassRole"]),
        );
        expect(statements.find((s) => s.Action === "iam:PassRole")!.Resource).toMatch(/^arn:aws:iam::\d{12}:role\//);
        // A wave that fails or refuses to start reaches the fleet's alarm topic.
        const rule = oneOfType(resources, "aws:cloudwatch/eventRule:EventRule");
        expect(JSON.parse(String(rule.inputs["eventPattern"]))).toEqual({
            source: ["aws.ssm"],
            "detail-type": ["EC2 Automation Execution Status-change Notification"],
            detail: { Definition: [document.inputs["name"]], Status: ["Failed", "TimedOut", "Cancelled"] },
        });
        expect(oneOfType(resources, "aws:cloudwatch/eventTarget:EventTarget").inputs["arn"]).toBe("arn:topic");
    });

    it("Fleet composes the load balancer, the instances, alarms, topic and patching under one name", async () => {
        const resources = await captureComponent(
            "dev",
            () =>
                void new Fleet("web", {
                    vpcId: "vpc-1",
                    publicSubnetIds: ["a"],
                    privateSubnetIds: ["b"],
                    tags: TAGS,
                    certificateArn: "arn:cert",
                }),
        );
        declaredBy(resources, "ops-platform:fleet:Fleet", "web");
        expect(
            resources
                .filter((r) => r.type.startsWith("ops-platform:") && r.type !== "ops-platform:fleet:Fleet")
                .map((r) => r.type)
                .sort(),
        ).toEqual([
            "ops-platform:alerting:AlarmTopic",
            "ops-platform:fleet:ApplicationLoadBalancer",
            "ops-platform:fleet:AutoScalingFleet",
            "ops-platform:fleet:FleetAlarms",
            "ops-platform:fleet:Patching",
        ]);
    });

    it("rejects bad settings naming the component and the key", () => {
        expect(
            () =>
                new Patching("web", {
                    patchGroup: "web",
                    alarmNames: [],
                    alarmTopicArn: "arn:topic",
                    settings: { patching: { windowHours: 0 } },
                }),
        ).toThrow(/^web: invalid settings: fleet\.patching\.windowHours: /);
        // The section's own rules run wherever it is resolved, not only in the whole config's validation.
        expect(
            () =>
                new FleetAlarms("web", {
                    topicArn: "arn:topic",
                    loadBalancer: { arnSuffix: "a", targetGroupArnSuffix: "t" },
                    asgName: "asg",
                    settings: { size: { minSize: 5, maxSize: 2, desiredCapacity: 3 } },
                }),
        ).toThrow("web: invalid settings: fleet.size.minSize: 5 is above maxSize 2; expected minSize <= desiredCapacity <= maxSize");
    });
});

describe("network alone", () => {
    it("spans the schema's default AZ count with one NAT gateway each", async () => {
        const resources = declaredBy(
            await captureComponent("dev", () => void new Network("net", { cidrBlock: "10.9.0.0/16" })),
            "ops-platform:network:Network",
            "net",
        );
        expect(ofType(resources, "aws:ec2/subnet:Subnet")).toHaveLength(2 * DEFAULTS.network.azCount);
        expect(ofType(resources, "aws:ec2/natGateway:NatGateway")).toHaveLength(DEFAULTS.network.azCount);
        expect(oneOfType(resources, "aws:cloudwatch/logGroup:LogGroup").inputs["retentionInDays"]).toBe(
            DEFAULTS.network.flowLogRetentionDays,
        );
    });
});

describe("edge components alone", () => {
    it("KvNamespaces: one protected namespace per binding, titled with the prefix", async () => {
        const resources = declaredBy(
            await captureComponent(
                "dev",
                () => void new KvNamespaces("kv", { accountId: ACCOUNT.accountId, bindings: { A: "a", B: "b" }, titlePrefix: "svc-dev" }),
            ),
            "ops-platform:edge:KvNamespaces",
            "kv",
        );
        expect(resources.map((r) => [r.inputs["title"], r.options.protect])).toEqual([
            ["svc-dev-a", true],
            ["svc-dev-b", true],
        ]);
    });

    it("R2Bucket: expiry a day past retention, and a lock only when asked", async () => {
        const unlocked = declaredBy(
            await captureComponent(
                "dev",
                () => void new R2Bucket("b", { accountId: ACCOUNT.accountId, bucketName: "b", retention: { prefix: "logs/", days: 3 } }),
            ),
            "ops-platform:edge:R2Bucket",
            "b",
        );
        expect(count(unlocked)).toEqual({ R2Bucket: 1, R2BucketLifecycle: 1 });
        expect(
            (
                input(oneOfType(unlocked, "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle"), "rules") as Array<
                    Record<string, unknown>
                >
            )[0],
        ).toMatchObject({
            id: "expire-logs",
            conditions: { prefix: "logs/" },
            deleteObjectsTransition: { condition: { maxAge: 4 * 86400 } },
        });
        const locked = await captureComponent(
            "dev",
            () =>
                void new R2Bucket("b", {
                    accountId: ACCOUNT.accountId,
                    bucketName: "b",
                    retention: { prefix: "logs/", days: 3 },
                    lock: true,
                }),
        );
        expect(input(oneOfType(locked, "cloudflare:index/r2BucketLock:R2BucketLock"), "rules")).toEqual([
            { id: "retain-logs", enabled: true, prefix: "logs/", condition: { type: "Age", maxAgeSeconds: 3 * 86400 } },
        ]);
    });

    it("GatewayWorker: script, version with its bindings, deployment, cron and route", async () => {
        const resources = declaredBy(
            await captureComponent(
                "dev",
                () =>
                    void new GatewayWorker("gw", {
                        ...ACCOUNT,
                        hostname: "api.example.com",
                        scriptName: "svc-dev-gateway",
                        environment: "dev",
                        kvNamespaceIds: { CACHE: "ns-1", STATE: "ns-2" },
                        backupBucketName: "bucket",
                    }),
            ),
            "ops-platform:edge:GatewayWorker",
            "gw",
        );
        expect(count(resources)).toEqual({
            Worker: 1,
            WorkerVersion: 1,
            WorkersCronTrigger: 1,
            WorkersDeployment: 1,
            WorkersRoute: 1,
            WorkersScript: 1,
        });
        const bindings = input(oneOfType(resources, "cloudflare:index/workerVersion:WorkerVersion"), "bindings") as Array<{
            type: string;
            name: string;
            text?: string;
        }>;
        expect(bindings.filter((b) => b.type !== "plain_text").map((b) => `${b.type}:${b.name}`)).toEqual([
            "kv_namespace:CACHE",
            "kv_namespace:STATE",
            "r2_bucket:BACKUPS",
            "durable_object_namespace:RATE_LIMITER",
            "version_metadata:CF_VERSION_METADATA",
        ]);
        expect(bindings.find((b) => b.name === "CACHE_SIZE")?.text).toBe(String(DEFAULTS.edge.cache.size));
        expect(oneOfType(resources, "cloudflare:index/workersRoute:WorkersRoute").inputs["pattern"]).toBe("api.example.com/*");
        expect(bindings.find((b) => b.name === "KV_BACKUP_BINDINGS")?.text).toBe("STATE");
        expect(
            () =>
                new GatewayWorker("no-state", {
                    ...ACCOUNT,
                    hostname: "h",
                    scriptName: "s",
                    environment: "dev",
                    kvNamespaceIds: { CACHE: "ns-1" },
                    backupBucketName: "b",
                }),
        ).toThrow("no-state: edge.kvBackup.bindings names STATE, which the Worker does not bind; expected some of CACHE");
    });

    it("EdgeLoadBalancer: a /health monitor, a pool per origin, the last the fallback", async () => {
        const resources = declaredBy(
            await captureComponent(
                "dev",
                () =>
                    void new EdgeLoadBalancer("lb", {
                        ...ACCOUNT,
                        hostname: "api.example.com",
                        namePrefix: "svc-dev",
                        origins: [
                            { region: "r1", address: "a.example" },
                            { region: "r2", address: "b.example" },
                        ],
                    }),
            ),
            "ops-platform:edge:EdgeLoadBalancer",
            "lb",
        );
        expect(oneOfType(resources, "cloudflare:index/loadBalancerMonitor:LoadBalancerMonitor").inputs).toMatchObject({
            path: "/health",
            interval: DEFAULTS.edge.loadBalancer.monitorIntervalSeconds,
        });
        const lb = oneOfType(resources, "cloudflare:index/loadBalancer:LoadBalancer");
        expect(lb.inputs["fallbackPool"]).toBe((lb.inputs["defaultPools"] as string[])[1]);
        expect(() => new EdgeLoadBalancer("empty", { ...ACCOUNT, hostname: "h", namePrefix: "p", origins: [] })).toThrow(
            "empty: at least one origin is required",
        );
    });

    it("EdgeNotifications: nothing without webhooks", async () => {
        expect(
            declaredBy(
                await captureComponent("dev", () => void new EdgeNotifications("n", { ...ACCOUNT, namePrefix: "p", poolIds: ["pool"] })),
                "ops-platform:edge:EdgeNotifications",
                "n",
            ),
        ).toEqual([]);
    });

    it.each([
        ["pool health only, by default", undefined, ["load_balancing_health_alert"]],
        // The http_alert_* types need Enterprise: declared only where asked for.
        [
            "the error-rate alert only where asked for, as on an Enterprise account",
            { edgeErrorRate: true },
            ["http_alert_edge_error", "load_balancing_health_alert"],
        ],
    ])("EdgeNotifications with a webhook: %s", async (_, notifications, expected) => {
        const resources = await captureComponent(
            "dev",
            () =>
                void new EdgeNotifications("n", {
                    ...ACCOUNT,
                    namePrefix: "p",
                    poolIds: ["pool"],
                    slackWebhookUrl: "https://hooks.example/x",
                    ...(notifications ? { notifications } : {}),
                }),
        );
        expect(
            ofType(resources, "cloudflare:index/notificationPolicy:NotificationPolicy")
                .map((p) => p.inputs["alertType"])
                .sort(),
        ).toEqual(expected);
    });

    it("Edge composes namespaces, bucket, Worker, load balancer and notifications", async () => {
        const resources = await captureComponent(
            "dev",
            () =>
                void new Edge("edge", {
                    ...ACCOUNT,
                    zoneName: "example.com",
                    namePrefix: "svc-dev",
                    environment: "dev",
                    origins: [{ region: "r1", address: "a.example" }],
                }),
        );
        declaredBy(resources, "ops-platform:edge:Edge", "edge");
        expect(oneOfType(resources, "cloudflare:index/r2BucketLock:R2BucketLock").inputs["bucketName"]).toBe("svc-dev-kv-backups");
    });
});

describe("backup components alone", () => {
    const bounds = { minRetentionDays: 7, maxRetentionDays: 35 };

    it("BackupVault: customer key, compliance lock by default, deny policy, notifications only with a topic", async () => {
        const resources = declaredBy(
            await captureComponent("dev", () => void new BackupVault("v", { vaultName: "svc-dev", retentionBounds: bounds })),
            "ops-platform:backup:BackupVault",
            "v",
        );
        expect(count(resources)).toEqual({ Alias: 1, Key: 1, Vault: 1, VaultLockConfiguration: 1, VaultPolicy: 1 });
        expect(oneOfType(resources, "aws:backup/vaultLockConfiguration:VaultLockConfiguration").inputs).toMatchObject({
            ...bounds,
            changeableForDays: DEFAULTS.backup.lockChangeableForDays,
        });
        const withTopic = await captureComponent(
            "dev",
            () =>
                void new BackupVault("v", {
                    vaultName: "svc-dev",
                    retentionBounds: bounds,
                    notificationTopicArn: "arn:topic",
                    settings: { lockMode: "none" },
                }),
        );
        expect(ofType(withTopic, "aws:backup/vaultLockConfiguration:VaultLockConfiguration")).toEqual([]);
        expect(oneOfType(withTopic, "aws:backup/vaultNotifications:VaultNotifications").inputs["snsTopicArn"]).toBe("arn:topic");
    });

    it("BackupPlan: a plan whose rules tag their points with the tier, and a selection by that tier", async () => {
        const rules = [{ ruleName: "high-scheduled", schedule: "cron(0 * * * ? *)", deleteAfterDays: 7, continuous: false }];
        const resources = declaredBy(
            await captureComponent(
                "dev",
                () =>
                    void new BackupPlan("p", {
                        planName: "svc-dev-high",
                        tier: "high",
                        selectTags: { BackupTier: "high", Environment: "dev" },
                        rules,
                        vaultName: "svc-dev",
                        serviceRoleArn: "arn:role",
                        windows: { startMinutes: 60, completionMinutes: 120 },
                    }),
            ),
            "ops-platform:backup:BackupPlan",
            "p",
        );
        const plan = oneOfType(resources, "aws:backup/plan:Plan");
        expect((input(plan, "rules") as Array<Record<string, unknown>>)[0]).toMatchObject({
            recoveryPointTags: { BackupTier: "high", BackupPlan: "svc-dev-high" },
            copyActions: [],
        });
        expect(plan.inputs["tags"]).toEqual({ BackupTier: "high", BackupPlan: "svc-dev-high" });
        expect(oneOfType(resources, "aws:backup/selection:Selection").inputs).toMatchObject({
            resources: ["*"],
            conditions: [
                {
                    stringEquals: [
                        { key: "aws:ResourceTag/BackupTier", value: "high" },
                        { key: "aws:ResourceTag/Environment", value: "dev" },
                    ],
                },
            ],
        });
        expect(
            () =>
                new BackupPlan("none", {
                    planName: "x",
                    tier: "low",
                    selectTags: { BackupTier: "low" },
                    rules: [],
                    vaultName: "v",
                    serviceRoleArn: "r",
                    windows: { startMinutes: 60, completionMinutes: 120 },
                }),
        ).toThrow("none: a backup plan needs at least one rule");
    });

    it("RestoreTests: a plan with an AWS-valid name and a selection per tested tier", async () => {
        const resources = declaredBy(
            await captureComponent(
                "dev",
                () => void new RestoreTests("rt", { planName: "svc-dev_restore_tests", vaultArn: "arn:vault", serviceRoleArn: "arn:role" }),
            ),
            "ops-platform:backup:RestoreTests",
            "rt",
        );
        expect(oneOfType(resources, "aws:backup/restoreTestingPlan:RestoreTestingPlan").inputs["name"]).toBe("svc_dev_restore_tests");
        expect(ofType(resources, "aws:backup/restoreTestingSelection:RestoreTestingSelection").map((s) => s.inputs["name"])).toEqual(
            DEFAULTS.backup.restoreTestTiers.map((t) => `${t}_ec2`),
        );
    });

    it("Backup composes one vault, a plan per tier and the audit framework", async () => {
        const resources = await captureComponent("dev", () => void new Backup("b", { namePrefix: "svc-dev", environment: "dev" }));
        declaredBy(resources, "ops-platform:backup:Backup", "b");
        expect(ofType(resources, "ops-platform:backup:BackupVault")).toHaveLength(1);
        expect(ofType(resources, "aws:backup/plan:Plan")).toHaveLength(4);
        expect(ofType(resources, "aws:backup/framework:Framework")).toHaveLength(1);
        expect(oneOfType(resources, "aws:backup/vaultNotifications:VaultNotifications").inputs["snsTopicArn"]).toMatch(
            /topic\/b-jobs-alarms/,
        );
    });
});

describe("monitoring alone", () => {
    const OIDC = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC";
    const monitoringArgs = {
        labels: { team: "x" },
        routingSecrets: {
            slackWebhookUrl: "https://hooks.example/a",
            slackInfraWebhookUrl: "https://hooks.example/b",
        },
        pagingKeys: { P1: "pd-p1", P2: "pd-p2" },
        signals: { fleetPrefix: "svc-dev-", gatewayScript: "svc-dev-gateway" },
        deployedVersion: "0123456789ab",
        fleetAlarms: sectionSettings("fleet", undefined, "the monitoring test").alarms,
        fleetPatching: sectionSettings("fleet", undefined, "the monitoring test").patching,
        sources: {
            environment: "dev",
            regions: ["us-east-1"],
            namePrefix: "svc-dev",
            cloudflareAccountId: ACCOUNT.accountId,
            cloudflareZoneId: ACCOUNT.zoneId,
            analyticsDataset: "svc_dev_gateway",
            kvExportCron: "0 3 * * *",
            heartbeat: { hostname: "api-dev-heartbeat.example.com", compatibilityDate: "2026-04-01" },
        },
    };

    it("a chart bump upgrades the release in place and the operator's CRDs with it; the rules wait for the release", async () => {
        const capture = (chartVersion: string) =>
            captureComponent(
                "dev",
                () => void new Monitoring("mon", { ...monitoringArgs, settings: { clusterOidcProviderArn: OIDC, chartVersion } }),
            );
        const document = (resources: PlannedResource[]) => toDocument("dev", resources, {}, []);
        const before = await capture("79.5.0");
        const after = await capture("80.0.0");
        const { changes } = planDiff(document(before), document(after));
        expect(changes.map((c) => [c.kind, c.name, c.changes.map((p) => p.path)])).toEqual([
            ["update", "mon-kube-prometheus-stack", ["version"]],
        ]);
        const release = oneOfType(after, "kubernetes:helm.sh/v3:Release", "kube-prometheus-stack");
        // Helm never upgrades a chart's crds/: the chart's pre-upgrade job applies the new chart's CRDs.
        expect(input(release, "values.crds")).toEqual({
            enabled: true,
            upgradeJob: { enabled: true, forceConflicts: true, image: { busybox: { tag: DEFAULTS.monitoring.crdUpgradeJobBusyboxTag } } },
        });
        for (const rule of ofType(after, "kubernetes:monitoring.coreos.com/v1:PrometheusRule"))
            expect(rule.options.dependsOn).toContain(release.urn);
        // The chart renders no Alertmanager config of its own beside ours.
        expect(input(release, "values.alertmanager.alertmanagerSpec.useExistingSecret")).toBe(true);
    });

    it("gives every dashboard panel its unit where Grafana reads it, the field config", async () => {
        const resources = await captureComponent(
            "dev",
            () => void new Monitoring("mon", { ...monitoringArgs, settings: { clusterOidcProviderArn: OIDC } }),
        );
        const panels = ofType(resources, "kubernetes:core/v1:ConfigMap").flatMap((m) =>
            Object.values(m.inputs["data"] as Record<string, string>).flatMap(
                (json) => (JSON.parse(json) as { panels: Array<Record<string, unknown>> }).panels,
            ),
        );
        expect(panels.length).toBeGreaterThan(10);
        for (const panel of panels) {
            expect(panel).not.toHaveProperty("unit");
            expect(panel).toHaveProperty("fieldConfig.defaults.unit", expect.any(String));
        }
    });

    it("installs the pinned chart with the schema's defaults, its rules, dashboards and the three exporters", async () => {
        const resources = declaredBy(
            await captureComponent(
                "dev",
                () => void new Monitoring("mon", { ...monitoringArgs, settings: { clusterOidcProviderArn: OIDC } }),
            ),
            "ops-platform:monitoring:Monitoring",
            "mon",
        );
        expect(oneOfType(resources, "kubernetes:helm.sh/v3:Release", "kube-prometheus-stack").inputs).toMatchObject({
            version: DEFAULTS.monitoring.chartVersion,
            namespace: DEFAULTS.monitoring.namespace,
        });
        expect(ofType(resources, "kubernetes:monitoring.coreos.com/v1:PrometheusRule").length).toBeGreaterThan(0);
        expect(ofType(resources, "kubernetes:monitoring.coreos.com/v1:Probe")).toEqual([]);
        expect(
            ofType(resources, "kubernetes:helm.sh/v3:Release")
                .map((r) => r.inputs["chart"])
                .sort(),
        ).toEqual([
            "cloudflare-exporter",
            "kube-prometheus-stack",
            "prometheus-blackbox-exporter",
            "prometheus-json-exporter",
            "prometheus-yet-another-cloudwatch-exporter",
        ]);
        expect(() => new Monitoring("no-oidc", monitoringArgs)).toThrow("no-oidc: monitoring.clusterOidcProviderArn is required");
    });

    it("CloudWatchExporter: a role only its service account may assume (IRSA), reading metrics and tags only", async () => {
        const resources = await captureComponent(
            "dev",
            () =>
                void new CloudWatchExporter("cw", {
                    regions: ["us-east-1", "us-west-2"],
                    environment: "dev",
                    oidcProviderArn: OIDC,
                    namespace: "monitoring",
                    chartVersion: "0.47.0",
                    labels: {},
                }),
        );
        const trust = JSON.parse(String(oneOfType(resources, "aws:iam/role:Role").inputs["assumeRolePolicy"]));
        expect(trust.Statement).toEqual([
            {
                Effect: "Allow",
                Principal: { Federated: OIDC },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:monitoring:cloudwatch-exporter",
                        "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
                    },
                },
            },
        ]);
        expect(JSON.parse(String(oneOfType(resources, "aws:iam/rolePolicy:RolePolicy").inputs["policy"])).Statement).toEqual([
            { Effect: "Allow", Action: CLOUDWATCH_EXPORTER_ACTIONS, Resource: "*" },
        ]);
        expect(CLOUDWATCH_EXPORTER_ACTIONS.every((a) => /^(tag:Get|cloudwatch:(Get|List))/.test(a))).toBe(true);
        const values = oneOfType(resources, "kubernetes:helm.sh/v3:Release").inputs["values"] as {
            serviceAccount: { name: string; annotations: Record<string, string> };
            config: string;
        };
        expect(values.serviceAccount.name).toBe("cloudwatch-exporter");
        expect(values.serviceAccount.annotations["eks.amazonaws.com/role-arn"]).toMatch(/^arn:aws:iam::/);
        // The chart renders the config through tpl: template braces would break it.
        expect(values.config).not.toContain("{{");
        const config = JSON.parse(values.config) as {
            discovery: { jobs: Array<{ type: string; searchTags: unknown; regions: string[] }> };
        };
        for (const job of config.discovery.jobs)
            expect([job.searchTags, job.regions]).toEqual([[{ key: "Environment", value: "dev" }], ["us-east-1", "us-west-2"]]);
    });

    it("CloudflareExporter and GatewayAnalyticsExporter: read-only tokens, kept in Secrets, never in the chart values", async () => {
        const resources = await captureComponent("dev", () => {
            new CloudflareExporter("cf", {
                accountId: ACCOUNT.accountId,
                zoneId: ACCOUNT.zoneId,
                namespace: "monitoring",
                chartVersion: "0.2.1",
                labels: {},
                namePrefix: "svc-dev",
            });
            new GatewayAnalyticsExporter("ga", {
                accountId: ACCOUNT.accountId,
                dataset: "svc_dev_gateway",
                kvExportCron: "0 3 * * *",
                namespace: "monitoring",
                chartVersion: "0.20.0",
                labels: {},
                chartLabels: {},
                namePrefix: "svc-dev",
            });
        });
        const token = oneOfType(resources, "cloudflare:index/apiToken:ApiToken");
        expect((input(token, "policies") as Array<{ resources: string }>).map((p) => JSON.parse(p.resources))).toEqual([
            { [`com.cloudflare.api.account.${ACCOUNT.accountId}`]: "*" },
            { [`com.cloudflare.api.account.zone.${ACCOUNT.zoneId}`]: "*" },
        ]);
        for (const secret of ofType(resources, "kubernetes:core/v1:Secret")) expect(secret.inputs["stringData"]).toBe("[secret]");
        for (const release of ofType(resources, "kubernetes:helm.sh/v3:Release"))
            expect(JSON.stringify(release.inputs)).not.toContain("mock-token-value");
        const analytics = oneOfType(resources, "kubernetes:helm.sh/v3:Release", "ga");
        expect(input(analytics, "values.serviceMonitor.targets")).toEqual(
            [
                "gateway-requests",
                "gateway-durations",
                "gateway-upstreams",
                "gateway-upstream-latency",
                "gateway-usage",
                "gateway-kv-exports",
            ].map((name) => ({
                name,
                url: `https://api.cloudflare.com/client/v4/accounts/${ACCOUNT.accountId}/analytics_engine/sql`,
                module: name.replace(/-/g, "_"),
            })),
        );
    });
});

describe("edge logs alone", () => {
    it("WorkerLogs: bucket with lifecycle, a token that may only write into it, and the Logpush job", async () => {
        const resources = await captureComponent(
            "dev",
            () =>
                void new WorkerLogs("logs", {
                    accountId: ACCOUNT.accountId,
                    scriptNames: ["gw"],
                    bucketName: "svc-dev-worker-logs",
                    retentionDays: 7,
                }),
        );
        expect(count(resources)).toMatchObject({ R2Bucket: 1, R2BucketLifecycle: 1, AccountToken: 1, LogpushJob: 1 });
        expect(oneOfType(resources, "cloudflare:index/logpushJob:LogpushJob").inputs["destinationConf"]).toBe("[secret]");
    });
});
