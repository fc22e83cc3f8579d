/**
 * Rules of the providers that the mocks cannot know, each guarded against every stack's plan
 * and named with its source. docs/provider-rules.md lists them all, with what is unverified.
 */
import { createHash } from "node:crypto";
import { stringify } from "yaml";
import { requiredFrequency } from "../components/backup/auditControls";
import { RATE_LIMITER_MIGRATIONS, pendingMigrations } from "../components/edge/durableObjects";
import { waveAutomation } from "../components/fleet/patching";
import { problemsOf, withKey } from "./helpers/config";
import { input, ofType, oneOfType, planOf, STACKS } from "./helpers/plan";
import type { PlanResource } from "./helpers/plan";

const tagSpecs = (lt: PlanResource) => input(lt, "tagSpecifications") as Array<{ resourceType: string; tags: Record<string, string> }>;

describe.each(STACKS)("%s against Cloudflare's rules", (stack) => {
    // https://developers.cloudflare.com/workers/configuration/versions-and-deployments/gradual-deployments/ (Durable Objects):
    // a version that changes a Durable Object class's lifecycle is refused with error 10211.
    it("uploads no Durable Object migration with a Worker version (error 10211)", async () => {
        for (const version of ofType((await planOf(stack)).resources, "cloudflare:index/workerVersion:WorkerVersion"))
            expect(version.inputs["migrations"]).toBeUndefined();
    });

    // Error 10061: a binding to a class that is not yet a Durable Object is refused; the class's script goes first.
    it("binds the rate limiter only after the script that migrated its class (error 10061)", async () => {
        const { resources } = await planOf(stack);
        const version = oneOfType(resources, "cloudflare:index/workerVersion:WorkerVersion");
        const host = oneOfType(resources, "cloudflare:index/workersScript:WorkersScript", "rate-limiter");
        const binding = (input(version, "bindings") as Array<Record<string, string>>).find(
            (b) => b["type"] === "durable_object_namespace",
        )!;
        expect(binding["scriptName"]).toBe(host.inputs["scriptName"]);
        expect(version.options.dependsOn).toContain(host.urn);
    });

    // https://developers.cloudflare.com/ssl/edge-certificates/universal-ssl/limitations/: Universal SSL covers the zone and
    // its first-level subdomains only.
    it("serves a hostname Universal SSL covers: one label under the zone", async () => {
        const { resources, config } = await planOf(stack);
        const routes = ofType(resources, "cloudflare:index/workersRoute:WorkersRoute").map((r) => String(r.inputs["pattern"]));
        expect(routes).toContain(`${config.edge.hostname}.${config.cloudflare.zoneName}/*`);
        // The gateway's, and the heartbeat's where the stack pages: each one label under the zone.
        for (const pattern of routes) expect(pattern.replace(`.${config.cloudflare.zoneName}/*`, "")).not.toContain(".");
    });

    // Cloudflare's PagerDuty destination is connected in the dashboard; a webhook's payload is not what PagerDuty's endpoints read.
    it("sends no Cloudflare webhook to PagerDuty", async () => {
        const hooks = ofType((await planOf(stack)).resources, "cloudflare:index/notificationPolicyWebhooks:NotificationPolicyWebhooks");
        expect(hooks.map((h) => h.name)).toEqual([`ops-platform-${stack}-edge-slack`]);
    });
});

describe("Durable Object migrations are sent as wrangler sends them (error 10079 on a repeated newTag)", () => {
    it.each([
        ["an empty account", undefined, { newTag: "v1", steps: [{ newSqliteClasses: ["RateLimiter"] }] }],
        ["a script at the newest tag", "v1", undefined],
    ])("%s", (_, live, expected) => {
        expect(pendingMigrations(RATE_LIMITER_MIGRATIONS, live)).toEqual(expected);
    });

    it("sends the live tag as oldTag for the migrations after it", () => {
        const history = [...RATE_LIMITER_MIGRATIONS, { tag: "v2", deletedClasses: ["Old"] }];
        expect(pendingMigrations(history, "v1")).toEqual({ oldTag: "v1", newTag: "v2", steps: [{ deletedClasses: ["Old"] }] });
    });

    it("refuses a live tag the history does not know", () => {
        expect(() => pendingMigrations(RATE_LIMITER_MIGRATIONS, "v9")).toThrow(
            'migration tag "v9", which is not in this program\'s history (v1)',
        );
    });
});

describe.each(STACKS)("%s against AWS's rules", (stack) => {
    // https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/work-with-tags-in-IMDS.html: with instance tags in metadata, keys
    // may use letters, digits and + - = . , _ : @ only, and launches fail otherwise.
    it("launches only tag keys instance metadata allows", async () => {
        for (const lt of ofType((await planOf(stack)).resources, "aws:ec2/launchTemplate:LaunchTemplate")) {
            expect(input(lt, "metadataOptions.instanceMetadataTags")).toBe("enabled");
            for (const spec of tagSpecs(lt))
                for (const key of Object.keys(spec.tags)) expect(key).toMatch(/^(?!\.{1,2}$|_index$)[A-Za-z0-9+\-=.,_:@]+$/);
        }
    });

    // https://docs.aws.amazon.com/systems-manager/latest/userguide/patch-manager-tag-a-patch-group.html: `PatchGroup` (no space)
    // is required when tags are allowed in instance metadata.
    it("targets patching by the PatchGroup tag the instances carry", async () => {
        const { resources } = await planOf(stack);
        const groups = ofType(resources, "aws:ssm/patchGroup:PatchGroup").map((g) => g.inputs["patchGroup"]);
        // Each wave's Automation finds its instances by that tag (components/fleet/patchWaves.py).
        const documents = ofType(resources, "aws:ssm/document:Document");
        expect(documents.map((d) => d.inputs["name"]).sort()).toEqual(groups.map((g) => `${String(g)}-patch-wave`).sort());
        for (const group of groups) {
            const step = (waveAutomation(String(group)).mainSteps as Array<{ inputs: { InputPayload?: Record<string, string> } }>)[0]!;
            expect(step.inputs.InputPayload).toMatchObject({ PatchGroup: group, PatchGroupTag: "PatchGroup" });
            // The planned document is that one: the plan shows its content by digest.
            const content = stringify(waveAutomation(String(group)));
            const planned = documents.find((d) => d.inputs["name"] === `${String(group)}-patch-wave`)!;
            expect(planned.inputs["content"]).toBe(
                `[content sha256:${createHash("sha256").update(content).digest("hex").slice(0, 16)}, ${content.length} chars]`,
            );
        }
        for (const lt of ofType(resources, "aws:ec2/launchTemplate:LaunchTemplate"))
            for (const spec of tagSpecs(lt)) expect(groups).toContain(spec.tags["PatchGroup"]);
    });

    // Terraform/Pulumi aws autoscaling Policy docs: omit or ignore desired capacity when scaling policies manage the group.
    it("leaves the desired capacity to target tracking after creation", async () => {
        const { resources } = await planOf(stack);
        expect(ofType(resources, "aws:autoscaling/policy:Policy").every((p) => p.inputs["policyType"] === "TargetTrackingScaling")).toBe(
            true,
        );
        for (const asg of ofType(resources, "aws:autoscaling/group:Group")) expect(asg.options.ignoreChanges).toContain("desiredCapacity");
    });

    // The provider's allowed_account_ids refuses credentials of any other account before it touches anything.
    it("pins every AWS provider to the stack's accounts", async () => {
        const { resources, config } = await planOf(stack);
        const providers = ofType(resources, "pulumi:providers:aws");
        expect(providers.length).toBe(config.regions.length);
        for (const p of providers) expect(JSON.parse(String(p.inputs["allowedAccountIds"]))).toEqual(config.awsAccountIds);
    });

    // https://docs.aws.amazon.com/aws-backup/latest/devguide/backup-notifications.html and the PutBackupVaultNotifications API:
    // BACKUP_JOB_FAILED, BACKUP_JOB_EXPIRED, RESTORE_JOB_FAILED (and others) are deprecated and send nothing; a failed job is a
    // *_COMPLETED event whose State attribute is not COMPLETED (Knowledge Center: notifications for failed AWS Backup jobs).
    it("subscribes vaults only to events AWS Backup still sends, and keeps job failures on every subscription", async () => {
        const deprecated = [
            "BACKUP_JOB_SUCCESSFUL",
            "BACKUP_JOB_FAILED",
            "BACKUP_JOB_EXPIRED",
            "RESTORE_JOB_SUCCESSFUL",
            "RESTORE_JOB_FAILED",
            "BACKUP_PLAN_CREATED",
            "BACKUP_PLAN_MODIFIED",
        ];
        const { resources } = await planOf(stack);
        for (const n of ofType(resources, "aws:backup/vaultNotifications:VaultNotifications")) {
            const events = n.inputs["backupVaultEvents"] as string[];
            expect(events.filter((e) => deprecated.includes(e))).toEqual([]);
            expect(events).toEqual(expect.arrayContaining(["BACKUP_JOB_COMPLETED", "RESTORE_JOB_COMPLETED"]));
            const subscribed = ofType(resources, "aws:sns/topicSubscription:TopicSubscription").filter(
                (s) => s.inputs["topic"] === n.inputs["snsTopicArn"],
            );
            for (const s of subscribed)
                expect(JSON.parse(String(s.inputs["filterPolicy"]))).toEqual({
                    State: [{ "anything-but": "COMPLETED" }, { exists: false }],
                });
        }
    });

    // Service Authorization Reference (AWS Backup): DeleteRecoveryPoint and UpdateRecoveryPointLifecycle are authorised against
    // recovery-point ARNs; AWS's vault-policy example and BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED want Resource "*" and
    // PutBackupVaultAccessPolicy in the same Deny.
    it("denies recovery-point deletion on every recovery point, as the audit control checks it", async () => {
        for (const p of ofType((await planOf(stack)).resources, "aws:backup/vaultPolicy:VaultPolicy")) {
            const statements = JSON.parse(String(p.inputs["policy"])).Statement as Array<{
                Effect: string;
                Resource: unknown;
                Action: string[];
                Principal: unknown;
            }>;
            const deny = statements.find((s) => s.Effect === "Deny")!;
            expect(deny).toMatchObject({ Resource: "*", Principal: { AWS: "*" } });
            expect(deny.Action).toEqual(
                expect.arrayContaining([
                    "backup:DeleteRecoveryPoint",
                    "backup:UpdateRecoveryPointLifecycle",
                    "backup:PutBackupVaultAccessPolicy",
                ]),
            );
        }
    });

    // Config rule backup-plan-min-frequency-and-min-retention-check: requiredFrequencyValue at most 24 for hours, 31 for days;
    // the Framework API's ControlScope takes one tag pair, evaluated against the plans (and for resource controls, the resources).
    it("audits each plan with a frequency AWS accepts, scoped to tags the plans and resources carry", async () => {
        const { resources } = await planOf(stack);
        const plans = ofType(resources, "aws:backup/plan:Plan");
        const planTags = plans.map((p) => p.inputs["tags"] as Record<string, string>);
        const resourceTags = ofType(resources, "aws:ec2/launchTemplate:LaunchTemplate")
            .flatMap(tagSpecs)
            .map((s) => s.tags);
        const [framework] = ofType(resources, "aws:backup/framework:Framework");
        for (const control of framework!.inputs["controls"] as Array<{
            name: string;
            inputParameters?: Array<{ name: string; value: string }>;
            scope?: { tags?: Record<string, string> };
        }>) {
            const scope = Object.entries(control.scope?.tags ?? {});
            expect(scope).toHaveLength(1);
            const [[key, value]] = scope as [[string, string]];
            const params = Object.fromEntries((control.inputParameters ?? []).map((p) => [p.name, p.value]));
            if (control.name === "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK") {
                expect(planTags.some((t) => t[key] === value)).toBe(true);
                expect(Number(params["requiredFrequencyValue"])).toBeLessThanOrEqual(params["requiredFrequencyUnit"] === "hours" ? 24 : 31);
            }
            if (
                ["BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN", "RESTORE_TIME_FOR_RESOURCES_MEET_TARGET"].includes(control.name) &&
                value.endsWith("-high")
            )
                expect(resourceTags.some((t) => t[key] === value)).toBe(true);
        }
    });

    // AWS names limits: load balancer and target group 32 characters (Pulumi autonames add 8), backup selection and restore
    // testing plan 50 (restore testing plan: letters, digits, underscores), framework letters, digits, underscores from a letter.
    it("keeps every physical name within AWS's limits", async () => {
        const { resources } = await planOf(stack);
        for (const r of ofType(resources, "aws:lb/loadBalancer:LoadBalancer", "aws:lb/targetGroup:TargetGroup"))
            expect(String(r.inputs["name"] ?? `${r.name}-1234567`).length).toBeLessThanOrEqual(32);
        for (const s of ofType(resources, "aws:backup/selection:Selection"))
            expect(String(s.inputs["name"]).length).toBeLessThanOrEqual(50);
        for (const p of ofType(resources, "aws:backup/restoreTestingPlan:RestoreTestingPlan"))
            expect(String(p.inputs["name"])).toMatch(/^[A-Za-z0-9_]{1,50}$/);
        for (const f of ofType(resources, "aws:backup/framework:Framework"))
            expect(String(f.inputs["name"])).toMatch(/^[A-Za-z][A-Za-z0-9_]{0,255}$/);
    });

    // ALB metrics doc: RequestCount "is only incremented for requests where the load balancer node was able to choose a
    // target"; CloudWatch metric math counts a missing value as 0 and drops a point that divides by zero (using-metric-math).
    // So when no target can be chosen the ratio would vanish and notBreaching keep the alarm OK: requests is FILLed with 1.
    it("keeps the 5xx ratio when the load balancer answers 5xx without choosing a target", async () => {
        for (const alarm of ofType((await planOf(stack)).resources, "aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) =>
            a.name.endsWith("-5xx-ratio"),
        )) {
            const queries = alarm.inputs["metricQueries"] as Array<{ id: string; expression?: string; metric?: { metricName: string } }>;
            expect(queries.find((q) => q.expression)!.expression).toMatch(/\/ FILL\(requests, 1\)$/);
            expect(queries.find((q) => q.id === "requests")!.metric!.metricName).toBe("RequestCount");
            expect(alarm.inputs["treatMissingData"]).toBe("notBreaching");
        }
    });

    // terraform-provider-aws bucket_lifecycle_configuration.go: a rule needs exactly one of filter and prefix ("will be an
    // error in a future version"), and 5.9x warned on an empty filter block too; a filter with an empty prefix is every object.
    it("gives every S3 lifecycle rule a filter that names its objects", async () => {
        for (const config of ofType((await planOf(stack)).resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"))
            for (const rule of input(config, "rules") as Array<{ filter?: Record<string, unknown>; prefix?: string }>) {
                expect(rule.prefix).toBeUndefined();
                expect(Object.keys(rule.filter ?? {}).length).toBeGreaterThan(0);
            }
    });
});

describe.each(STACKS)("%s against Kubernetes charts' rules", (stack) => {
    // kube-prometheus-stack and prometheus-blackbox-exporter _helpers.tpl already set app.kubernetes.io/managed-by (and part-of);
    // commonLabels repeating them writes duplicate YAML keys.
    it("passes charts no app.kubernetes.io label they already set", async () => {
        for (const release of ofType((await planOf(stack)).resources, "kubernetes:helm.sh/v3:Release")) {
            expect(
                Object.keys((input(release, "values.commonLabels") as Record<string, string>) ?? {}).filter((k) =>
                    k.startsWith("app.kubernetes.io/"),
                ),
            ).toEqual([]);
        }
    });

    // Grafana's high-availability docs: more than one instance needs a shared database instead of the embedded sqlite.
    it("runs one Grafana on its embedded database", async () => {
        const release = oneOfType((await planOf(stack)).resources, "kubernetes:helm.sh/v3:Release", "kube-prometheus-stack");
        expect(input(release, "values.grafana.replicas")).toBe(1);
    });
});

describe("config that a provider would refuse is refused at plan time", () => {
    it.each([
        ["a hostname two levels under the zone", "edge", { hostname: "api.staging" }, "dev: ops-platform:edge.hostname: "],
        ["two Grafana replicas on sqlite", "monitoring", { grafanaReplicas: 2 }, "dev: ops-platform:monitoring.grafanaReplicas: "],
        [
            "a pin that is not a version id",
            "edge",
            { rollout: { pinnedVersionId: "null" } },
            "dev: ops-platform:edge.rollout.pinnedVersionId: ",
        ],
        [
            "a certificate of another account",
            "fleet",
            { certificateArns: { "us-east-1": "arn:aws:acm:us-east-1:999999999999:certificate/x" } },
            "dev: ops-platform:fleet.certificateArns.us-east-1: is in account 999999999999; expected one of this stack's awsAccountIds (111122223333)",
        ],
        [
            "a cross-account copy into the stack's own account",
            "backup",
            { crossAccountVaultArn: "arn:aws:backup:us-east-1:111122223333:backup-vault:x" },
            "dev: ops-platform:backup.crossAccountVaultArn: is in account 111122223333, one of this stack's own",
        ],
    ])("%s", (_, key, value, expected) => {
        expect(problemsOf(withKey("dev", key, value, true)).join("\n")).toContain(expected);
    });

    it("requires the accounts a stack may deploy into", () => {
        expect(problemsOf(withKey("dev", "awsAccountIds", undefined)).join("\n")).toContain("dev: ops-platform:awsAccountIds: missing");
    });

    it.each([
        ["cron(0 * * * ? *)", { unit: "hours", value: 1 }],
        ["cron(0 5 * * ? *)", { unit: "hours", value: 24 }],
        ["cron(0 5 ? * SUN *)", { unit: "days", value: 7 }],
    ])("audits schedule %s at a frequency AWS accepts", (schedule, expected) => {
        expect(requiredFrequency(schedule)).toEqual(expected);
    });
});
