/**
 * The canary's verdict against stand-ins for Cloudflare's deployments endpoint and the Analytics
 * Engine SQL API on 127.0.0.1. The SQL stand-in keeps request points exactly as the Worker
 * writes them (analytics.ts `dataPoints`, with their sample intervals) and answers the query
 * from the columns the query names, so a query reading the wrong column reads the wrong numbers.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CONFIG_SECTIONS } from "../../config/schema";
import { canaryVerdict, judge, type CanaryTarget, type VersionStats } from "../../tools/canary";
import { dataPoints } from "../../workers/gateway/src/analytics";
import { runToolAsync } from "../helpers/cli";

const THRESHOLDS = CONFIG_SECTIONS.edge.parse({}).rollout.canary;
const CANARY = "11111111-1111-4111-8111-111111111111";
const STABLE = "22222222-2222-4222-8222-222222222222";
const ACCOUNT = "0123456789abcdef0123456789abcdef"; // Pulumi.production.yaml's

interface StoredPoint {
    blobs: string[];
    doubles: number[];
    sampleInterval: number;
}

/** Deployments (newest first) and the SQL API over stored points; `failing` answers 500 to SQL. */
class FakeCloudflare {
    deployments: Array<{ versions: Array<{ version_id: string; percentage: number }> }> = [];
    points: StoredPoint[] = [];
    failing = false;
    readonly queries: string[] = [];
    private requests = 0;
    private readonly server: Server = createServer((req, res) => {
        let body = "";
        req.on("data", (c: Buffer) => (body += c.toString()));
        req.on("end", () => {
            const [status, answer] = this.answer(req.method ?? "", req.url ?? "", body);
            res.writeHead(status, { "content-type": "application/json" }).end(typeof answer === "string" ? answer : JSON.stringify(answer));
        });
    });

    private answer(method: string, url: string, body: string): [number, unknown] {
        if (++this.requests > 100) return [429, { success: false, errors: [{ message: "test request budget spent" }] }];
        if (method === "GET" && /\/accounts\/\w+\/workers\/scripts\/[\w-]+\/deployments$/.test(url))
            return [200, { success: true, result: { deployments: this.deployments } }];
        if (method === "POST" && url.endsWith("/analytics_engine/sql")) {
            this.queries.push(body);
            if (this.failing) return [500, "Internal server error"];
            return [200, { meta: [], data: this.evaluate(body), rows: 0 }];
        }
        return [404, { success: false, errors: [{ message: "not found" }] }];
    }

    /** The canary's query, answered from the columns it names: the version's, the status class's and the duration's. */
    private evaluate(sql: string): unknown[] {
        const kind = /WHERE blob1 = '(\w+)'/.exec(sql)?.[1];
        const version = /\bblob(\d+) AS version\b/.exec(sql);
        const status = /sumIf\(_sample_interval, blob(\d+) = '5xx'\)/.exec(sql);
        const duration = /quantileExactWeighted\(0\.95\)\(double(\d+), _sample_interval\)/.exec(sql);
        const versions = [...(/IN \(([^)]*)\)/.exec(sql)?.[1] ?? "").matchAll(/'([^']*)'/g)].map((m) => m[1]!);
        if (!kind || !version || !status || !duration) return [];
        const selected = this.points.filter((p) => p.blobs[0] === kind && versions.includes(p.blobs[Number(version[1]) - 1]!));
        const groups = new Map<string, StoredPoint[]>();
        for (const p of selected) {
            const v = p.blobs[Number(version[1]) - 1]!;
            groups.set(v, [...(groups.get(v) ?? []), p]);
        }
        return [...groups].map(([v, points]) => {
            // Weighted p95 over the sampled points, as quantileExactWeighted reads them.
            const weighted = points
                .map((p) => [p.doubles[Number(duration[1]) - 1]!, p.sampleInterval] as const)
                .sort((a, b) => a[0] - b[0]);
            const total = weighted.reduce((t, [, w]) => t + w, 0);
            let seen = 0;
            const p95 = weighted.find(([, w]) => (seen += w) >= 0.95 * total)?.[0] ?? 0;
            return {
                version: v,
                // 64-bit counts come back as strings.
                requests: String(total),
                errors: String(points.filter((p) => p.blobs[Number(status[1]) - 1] === "5xx").reduce((t, p) => t + p.sampleInterval, 0)),
                p95_ms: p95,
            };
        });
    }

    /** `count` requests of `version`, `errors` of them 5xx, each taking `ms`, each point standing for `sample` requests. */
    serve(version: string, count: number, errors: number, ms: number, sample = 1): void {
        for (let i = 0; i < count / sample; i++) {
            const [point] = dataPoints({
                version,
                status: i < errors / sample ? 503 : 200,
                cache: "BYPASS",
                provider: "openai",
                durationMs: ms,
                attempts: [],
            });
            this.points.push({ ...point!, sampleInterval: sample });
        }
    }

    /** The live deployment: these versions at these shares, as Cloudflare lists them. */
    deploy(...shares: Array<[versionId: string, percentage: number]>): void {
        this.deployments = [{ versions: shares.map(([version_id, percentage]) => ({ version_id, percentage })) }];
    }

    reset(): void {
        this.deploy([STABLE, 90], [CANARY, 10]);
        this.points = [];
        this.failing = false;
        this.queries.length = 0;
    }

    async start(): Promise<string> {
        await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
        return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/client/v4`;
    }

    stop(): Promise<unknown> {
        return new Promise((resolve) => this.server.close(resolve));
    }
}

const cloudflare = new FakeCloudflare();
let target: CanaryTarget;
beforeAll(async () => {
    target = {
        api: await cloudflare.start(),
        token: "cf-test-token",
        accountId: ACCOUNT,
        script: "ops-platform-production-gateway",
        dataset: "ops_platform_production_gateway",
        thresholds: THRESHOLDS,
        promoteTo: [50, 100],
        windowMinutes: 10,
    };
});
afterAll(() => cloudflare.stop());
beforeEach(() => cloudflare.reset());

describe("the verdict against the SQL API", () => {
    it("promotes a healthy canary to the next step, reading sampled points as the requests they stand for", async () => {
        cloudflare.serve(STABLE, 2000, 10, 120, 10);
        cloudflare.serve(CANARY, 200, 1, 125);
        const v = await canaryVerdict(target);
        expect([v.verdict, v.next]).toEqual(["promote", 50]);
        expect(v.stable).toMatchObject({ versionId: STABLE, percentage: 90, requests: 2000, errors: 10, p95Ms: 120 });
        expect(v.canary).toMatchObject({ versionId: CANARY, percentage: 10, requests: 200, errors: 1 });
        expect(cloudflare.queries.at(-1)).toContain("FROM ops_platform_production_gateway");
        expect(cloudflare.queries.at(-1)).toContain("timestamp > NOW() - INTERVAL '10' MINUTE");
    });

    it("from 50% the next step is 100%, the canary named by its version id (a tie has no smaller share)", async () => {
        cloudflare.deploy([STABLE, 50], [CANARY, 50]);
        cloudflare.serve(STABLE, 500, 0, 100);
        cloudflare.serve(CANARY, 500, 0, 100);
        expect(await canaryVerdict({ ...target, canaryVersionId: CANARY })).toMatchObject({ verdict: "promote", next: 100 });
        expect(await canaryVerdict(target)).toMatchObject({
            verdict: "hold",
            reasons: ["two versions at 50%: name the canary with --canary-version"],
        });
    });

    it("judges the named canary even when it has the larger share", async () => {
        cloudflare.deploy([CANARY, 75], [STABLE, 25]);
        cloudflare.serve(STABLE, 500, 0, 100);
        cloudflare.serve(CANARY, 1500, 60, 100);
        const v = await canaryVerdict({ ...target, canaryVersionId: CANARY, promoteTo: [75, 100] });
        expect([v.verdict, v.canary?.versionId]).toEqual(["rollback", CANARY]);
    });

    it("reads points written before the Worker named its version as the stable version's, in the rollout that brings version ids", async () => {
        cloudflare.serve("", 2000, 0, 100);
        cloudflare.serve(CANARY, 200, 0, 100);
        const v = await canaryVerdict({ ...target, canaryVersionId: CANARY });
        expect([v.verdict, v.stable?.requests]).toEqual(["promote", 2000]);
        expect(v.reasons).toContain("the stable version's points predate version ids: read as its");
    });

    it("has nothing to judge when the named canary no longer serves (pinned)", async () => {
        const v = await canaryVerdict({ ...target, canaryVersionId: "33333333-3333-4333-8333-333333333333" });
        expect([v.verdict, v.next]).toEqual(["promote", null]);
    });

    type Traffic = [count: number, errors: number, ms: number];
    it.each<[string, Traffic, Traffic, string]>([
        ["5xx share is more than twice the stable's and above the floor", [2000, 20, 120], [200, 6, 120], "5xx share 3.00% is above 2.00%"],
        ["p95 is more than 1.5x the stable's", [2000, 0, 100], [200, 0, 160], "p95 160 ms is above 150 ms"],
    ])("rolls back a canary whose %s", async (_name, stable, canary, reason) => {
        cloudflare.serve(STABLE, ...stable);
        cloudflare.serve(CANARY, ...canary);
        const v = await canaryVerdict(target);
        expect(v.verdict).toBe("rollback");
        expect(v.reasons).toEqual([expect.stringContaining(reason)]);
    });

    it("holds while the canary has too little traffic to judge, however bad its few answers", async () => {
        cloudflare.serve(STABLE, 2000, 0, 100);
        cloudflare.serve(CANARY, 40, 40, 900);
        const v = await canaryVerdict(target);
        expect([v.verdict, v.next]).toEqual(["hold", null]);
        expect(v.reasons).toEqual(["too little traffic: canary had 40 requests, fewer than 100"]);
    });

    it("holds, never promotes, when the SQL API fails", async () => {
        cloudflare.serve(STABLE, 2000, 0, 100);
        cloudflare.serve(CANARY, 200, 0, 100);
        cloudflare.failing = true;
        const v = await canaryVerdict(target);
        expect([v.verdict, v.next]).toEqual(["hold", null]);
        expect(v.reasons[0]).toContain("the Analytics Engine SQL API answered 500");
    });

    it("holds when the deployment cannot be read", async () => {
        const v = await canaryVerdict({ ...target, api: "http://127.0.0.1:9/client/v4" });
        expect(v.verdict).toBe("hold");
        expect(v.reasons[0]).toContain("could not read the live deployment");
    });

    it("has nothing to judge when one version serves 100%", async () => {
        cloudflare.deploy([STABLE, 100]);
        expect(await canaryVerdict(target)).toEqual({
            verdict: "promote",
            next: null,
            reasons: ["one version serves 100%: there is no canary to judge"],
        });
        expect(cloudflare.queries).toHaveLength(0);
    });
});

describe("the verdict's table", () => {
    const stats = (requests: number, errors: number, p95Ms: number): VersionStats => ({
        versionId: "v",
        percentage: 50,
        requests,
        errors,
        errorRatio: errors / requests,
        p95Ms,
    });

    it.each([
        ["no errors either side", stats(200, 0, 100), stats(2000, 0, 100), "promote"],
        ["under the 1% floor though above twice the stable's", stats(200, 1, 100), stats(2000, 0, 100), "promote"],
        ["exactly twice the stable's 5xx share", stats(200, 6, 100), stats(2000, 30, 100), "promote"],
        ["just over twice", stats(200, 7, 100), stats(2000, 30, 100), "rollback"],
        ["p95 1.5x, but within the 20 ms margin", stats(200, 0, 15), stats(2000, 0, 10), "promote"],
        ["p95 exactly 1.5x", stats(200, 0, 150), stats(2000, 0, 100), "promote"],
        ["the stable version itself thin", stats(200, 0, 100), stats(50, 0, 100), "hold"],
    ])("%s", (_name, canary, stable, verdict) => {
        expect(judge(canary, stable, THRESHOLDS, 50).verdict).toBe(verdict);
    });
});

it("npm run canary prints the verdict with the numbers and the thresholds, and --json for the workflow", async () => {
    cloudflare.serve(STABLE, 2000, 0, 100);
    cloudflare.serve(CANARY, 200, 0, 160);
    const env = { CLOUDFLARE_API_TOKEN: "cf-test-token", CLOUDFLARE_API_BASE_URL: target.api };
    const [text, json, bad] = await Promise.all([
        runToolAsync("canary", ["production"], env),
        runToolAsync("canary", ["production", "--json", "--window-minutes", "15"], env),
        runToolAsync("canary", ["production", "--window-minutes", "0"], env),
    ]);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain("production: canary verdict over the last 10 min: ROLLBACK");
    expect(text.stdout).toContain(`canary ${CANARY} at 10%: 200 requests, 0 5xx (0.00%), p95 160 ms`);
    expect(text.stdout).toContain("p95 160 ms is above 150 ms (1.5x the stable version's 100 ms, and 20 ms more)");
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ verdict: "rollback", next: null, windowMinutes: 15, maxHolds: 3 });
    expect(cloudflare.queries.some((q) => q.includes("INTERVAL '15' MINUTE"))).toBe(true);
    expect([bad.status, bad.stderr]).toEqual([2, expect.stringContaining("--window-minutes: expected a positive whole number")]);
});
