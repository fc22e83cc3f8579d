import { deploymentVersions, stableVersion } from "../../components/edge/rollout";
import { buildSync, type BuildOptions } from "esbuild";
import { GATEWAY_ENTRY, buildWorkerBundle } from "../../components/edge/workerBundle";
import { MOCK_LIVE_WORKER_VERSION } from "../../tools/plan/mocks";
import { problemsOf, withKey } from "../helpers/config";
import { input, ofType, oneOfType, planOf, STACKS } from "../helpers/plan";
import { PROVIDER_CATALOGUE, PROVIDER_NAMES, providerBindings } from "../../workers/gateway/src/providers/catalogue";
import { GATEWAY_VARS } from "../../workers/gateway/src/vars";

type Binding = { type: string; name: string; text?: string; namespaceId?: string; bucketName?: string; className?: string };
import { VERSION_METADATA_BINDING } from "../../workers/gateway/src/vars";

const bindingsOf = async (stack: string) =>
    input(oneOfType((await planOf(stack)).resources, "cloudflare:index/workerVersion:WorkerVersion"), "bindings") as Binding[];

describe.each(STACKS)("edge of %s", (stack) => {
    it("binds both KV namespaces, the backup bucket and the rate-limiter Durable Object of its own script", async () => {
        const { resources } = await planOf(stack);
        const bindings = await bindingsOf(stack);
        expect(bindings.filter((b) => b.type === "kv_namespace").map((b) => b.name)).toEqual(["CACHE", "STATE"]);
        expect(bindings.find((b) => b.type === "r2_bucket")).toMatchObject({
            name: "BACKUPS",
            bucketName: `ops-platform-${stack}-kv-backups`,
        });
        expect(bindings.find((b) => b.type === "durable_object_namespace")).toMatchObject({
            name: "RATE_LIMITER",
            className: "RateLimiter",
            scriptName: `ops-platform-${stack}-gateway-rate-limiter`,
        });
        // Each data point names its version: the canary's verdict compares them (tools/canary.ts).
        expect(bindings.find((b) => b.type === "version_metadata")).toEqual({ type: "version_metadata", name: VERSION_METADATA_BINDING });
        const version = oneOfType(resources, "cloudflare:index/workerVersion:WorkerVersion");
        expect(version.options.retainOnDelete).toBe(true);
        const limiter = oneOfType(resources, "cloudflare:index/workersScript:WorkersScript", "rate-limiter");
        expect(limiter.inputs["scriptName"]).toBe(`ops-platform-${stack}-gateway-rate-limiter`);
        expect(version.options.dependsOn).toContain(limiter.urn);
        expect(ofType(resources, "cloudflare:index/workersKvNamespace:WorkersKvNamespace").map((n) => n.inputs["title"])).toEqual([
            `ops-platform-${stack}-cache`,
            `ops-platform-${stack}-state`,
        ]);
    });

    it("binds as plain text exactly the vars of the Worker's contract (workers/gateway/src/vars.ts), each provider's included", async () => {
        const vars = (await bindingsOf(stack)).filter((b) => b.type === "plain_text").map((b) => b.name);
        const providerVars = PROVIDER_NAMES.flatMap((name) => {
            const { url, model } = providerBindings(PROVIDER_CATALOGUE[name]);
            return [url, model];
        });
        expect([...vars].sort()).toEqual([...Object.keys(GATEWAY_VARS), ...providerVars].sort());
    });

    it("binds provider keys as secrets that never reach the plan in clear", async () => {
        const bindings = await bindingsOf(stack);
        const secrets = bindings.filter((b) => b.type === "secret_text");
        expect(secrets.map((b) => [b.name, b.text])).toEqual([
            ["OPENAI_API_KEY", "[secret]"],
            ["ANTHROPIC_API_KEY", "[secret]"],
        ]);
        expect(JSON.stringify((await planOf(stack)).resources)).not.toContain("placeholder");
    });

    it("schedules the KV export and routes the public hostname to the Worker", async () => {
        const { resources, config } = await planOf(stack);
        expect(input(oneOfType(resources, "cloudflare:index/workersCronTrigger:WorkersCronTrigger", "kv-backup"), "schedules")).toEqual([
            { cron: "0 3 * * *" },
        ]);
        expect(oneOfType(resources, "cloudflare:index/workersRoute:WorkersRoute", "gateway").inputs["pattern"]).toBe(
            `${config.edge.hostname}.example.com/*`,
        );
        const lifecycle = oneOfType(resources, "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle", "kv-backups");
        expect((input(lifecycle, "rules") as Array<Record<string, unknown>>)[0]).toMatchObject({
            conditions: { prefix: "kv-backups/" },
            deleteObjectsTransition: { condition: { type: "Age", maxAge: 31 * 86400 } },
        });
    });

    it("pushes both Workers' trace events to a log bucket kept edge.logs.retentionDays, with write-only credentials as a secret", async () => {
        const { resources, config } = await planOf(stack);
        const days = config.edge.logs.retentionDays;
        const lifecycle = oneOfType(resources, "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle", "logs");
        expect((input(lifecycle, "rules") as Array<Record<string, unknown>>)[0]).toMatchObject({
            conditions: { prefix: "workers/" },
            deleteObjectsTransition: { condition: { type: "Age", maxAge: (days + 1) * 86400 } },
        });
        const job = oneOfType(resources, "cloudflare:index/logpushJob:LogpushJob");
        expect(job.inputs).toMatchObject({
            dataset: "workers_trace_events",
            destinationConf: "[secret]",
            enabled: true,
            outputOptions: { outputType: "ndjson" },
        });
        expect(JSON.parse(String(job.inputs["filter"]))).toEqual({
            where: {
                or: [`ops-platform-${stack}-gateway`, `ops-platform-${stack}-gateway-rate-limiter`].map((value) => ({
                    key: "ScriptName",
                    operator: "eq",
                    value,
                })),
            },
        });
        const writer = oneOfType(resources, "cloudflare:index/accountToken:AccountToken", "logs-writer");
        expect(JSON.parse(String((input(writer, "policies") as Array<{ resources: string }>)[0]!.resources))).toEqual({
            [`com.cloudflare.edge.r2.bucket.${config.cloudflare.accountId}_default_ops-platform-${stack}-worker-logs`]: "*",
        });
        for (const worker of [
            oneOfType(resources, "cloudflare:index/worker:Worker"),
            oneOfType(resources, "cloudflare:index/workersScript:WorkersScript", "rate-limiter"),
        ])
            expect(worker.inputs["logpush"]).toBe(true);
    });

    it("binds the gateway's own Analytics Engine dataset, one per environment", async () => {
        const bindings = await bindingsOf(stack);
        expect(bindings.find((b) => b.type === "analytics_engine")).toEqual({
            type: "analytics_engine",
            name: "ANALYTICS",
            dataset: `ops_platform_${stack}_gateway`,
        });
    });

    it("health-checks every region's ALB on /health and fails over in region order", async () => {
        const { resources, config } = await planOf(stack);
        expect(oneOfType(resources, "cloudflare:index/loadBalancerMonitor:LoadBalancerMonitor").inputs).toMatchObject({
            path: "/health",
            expectedCodes: "200",
            type: "https",
        });
        const pools = ofType(resources, "cloudflare:index/loadBalancerPool:LoadBalancerPool");
        expect(pools).toHaveLength(config.regions.length);
        for (const pool of pools)
            expect((input(pool, "origins") as Array<{ address: string }>)[0]!.address).toMatch(/\.elb\.amazonaws\.com$/);
        const lb = oneOfType(resources, "cloudflare:index/loadBalancer:LoadBalancer");
        expect(lb.inputs).toMatchObject({ steeringPolicy: "off", proxied: true });
        expect((lb.inputs["defaultPools"] as string[]).length).toBe(config.regions.length);
        expect(lb.inputs["fallbackPool"]).toBe((lb.inputs["defaultPools"] as string[]).at(-1));
    });
});

it("gives production two pools, a 10% canary beside the live version, and a locked backup prefix", async () => {
    const { resources } = await planOf("production");
    expect(ofType(resources, "cloudflare:index/loadBalancerPool:LoadBalancerPool").map((p) => p.inputs["name"])).toEqual([
        "ops-platform-production-us-east-1",
        "ops-platform-production-us-west-2",
    ]);
    const deployment = oneOfType(resources, "cloudflare:index/workersDeployment:WorkersDeployment");
    expect(deployment.inputs["versions"]).toEqual([
        { versionId: expect.stringMatching(/^[0-9a-f-]{36}$/), percentage: 10 },
        { versionId: MOCK_LIVE_WORKER_VERSION, percentage: 90 },
    ]);
    expect(input(oneOfType(resources, "cloudflare:index/r2BucketLock:R2BucketLock"), "rules")).toEqual([
        { id: "retain-kv-backups", enabled: true, prefix: "kv-backups/", condition: { type: "Age", maxAgeSeconds: 30 * 86400 } },
    ]);
    const notifications = ofType(resources, "cloudflare:index/notificationPolicy:NotificationPolicy").map((n) => n.inputs["alertType"]);
    // http_alert_* policies need Enterprise (error 17200 otherwise): off unless cloudflare.notifications says so.
    expect(notifications).toEqual(["load_balancing_health_alert"]);
    for (const hook of ofType(resources, "cloudflare:index/notificationPolicyWebhooks:NotificationPolicyWebhooks"))
        expect(hook.inputs["url"]).toBe("[secret]");
});

it("binds dev's 'before' and production's 'after' runtime settings as vars", async () => {
    const vars = async (stack: string) =>
        Object.fromEntries((await bindingsOf(stack)).filter((b) => b.type === "plain_text").map((b) => [b.name, b.text]));
    expect(await vars("dev")).toMatchObject({
        CACHE_SIZE: "100",
        CACHE_TTL_MS: "3600000",
        RATE_LIMIT_MAX_REQUESTS: "1000",
        RATE_LIMIT_BURST: "20",
        CONCURRENCY_MAX: "50",
        ENVIRONMENT: "dev",
    });
    expect(await vars("production")).toMatchObject({
        CACHE_SIZE: "200",
        CACHE_TTL_MS: "7200000",
        RATE_LIMIT_MAX_REQUESTS: "2000",
        RATE_LIMIT_BURST: "50",
        CONCURRENCY_MAX: "100",
        KV_BACKUP_BINDINGS: "STATE",
    });
    expect(ofType((await planOf("dev")).resources, "cloudflare:index/r2BucketLock:R2BucketLock")).toEqual([]);
});

describe("rollout", () => {
    const live = [{ createdOn: "2026-11-01T00:00:00Z", versions: [{ versionId: "v1", percentage: 100 }] }];
    it.each([
        [
            10,
            undefined,
            [
                { versionId: "v2", percentage: 10 },
                { versionId: "v1", percentage: 90 },
            ],
        ],
        [
            50,
            undefined,
            [
                { versionId: "v2", percentage: 50 },
                { versionId: "v1", percentage: 50 },
            ],
        ],
        [100, undefined, [{ versionId: "v2", percentage: 100 }]],
        [10, "v0", [{ versionId: "v0", percentage: 100 }]],
    ])("canary %d%% (pinned %s)", (canary, pinned, expected) => {
        expect(deploymentVersions("v2", stableVersion(live, "v2"), canary, pinned)).toEqual(expected);
    });

    it("deploys the first version at 100%: there is nothing to split with", () => {
        expect(deploymentVersions("v1", stableVersion([], "v1"), 10)).toEqual([{ versionId: "v1", percentage: 100 }]);
    });

    it("keeps the stable version while a canary is promoted", () => {
        const mid = [
            ...live,
            {
                createdOn: "2026-11-02T00:00:00Z",
                versions: [
                    { versionId: "v2", percentage: 10 },
                    { versionId: "v1", percentage: 90 },
                ],
            },
        ];
        expect(stableVersion(mid, "v2")).toBe("v1");
    });
});

it("bundles the Worker deterministically, and the bundle reused from disk is the one esbuild builds", () => {
    const fresh = (options: BuildOptions) => buildSync({ ...options, write: false }).outputFiles[0]!.text;
    const a = buildWorkerBundle(GATEWAY_ENTRY, fresh);
    const b = buildWorkerBundle(GATEWAY_ENTRY, fresh);
    expect(a.sha256).toBe(b.sha256);
    expect(buildWorkerBundle(GATEWAY_ENTRY).sha256).toBe(a.sha256);
});

it("refuses an unknown provider and a provider without its key at plan time", () => {
    expect(problemsOf(withKey("dev", "edge", { providers: { order: ["openai", "mistral"] } }, true)).join("\n")).toContain(
        'dev: ops-platform:edge.providers.order[1]: string "mistral" is not allowed; expected one of "openai", "anthropic"',
    );
    expect(problemsOf(withKey("dev", "openaiApiKey", undefined)).join("\n")).toContain(
        "dev: ops-platform:openaiApiKey: missing, but edge.providers.order uses openai",
    );
});
