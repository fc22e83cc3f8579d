/**
 * `npm run bench -- plan [--runs N]`: the offline plan of production against the two peers in
 * ../shared/bench/peers (AWS CDK synth with cdk-nag; a plain Pulumi program under mocks), beside
 * a bare `require` of the SDKs the program uses and the same plan over eight Regions, in
 * alternating paired runs: median wall time, peak memory and the ratios.
 * Goals: at most half the CDK peer's wall time and memory; within 1.3x of loading the SDKs;
 * eight Regions within 1.5x of production's two.
 *
 * `npm run bench -- worker [--runs N]`: the gateway bundle's size (goal <= 64 KiB minified);
 * in workerd, /health latency beside an empty Worker's (goal <= 1.5x); and failover under
 * load: 1,000 chat completions at concurrency 50 against fake providers on 127.0.0.1 with
 * both healthy, the primary dead, and the primary hanging, reporting p50/p95/p99 and the
 * client's 5xx (goal: no 5xx, p99 within 1.5x of the healthy run). The key carries a token
 * rate and a monthly budget, so every answer is counted and debited; the healthy run's
 * percentiles are set beside the run before per-client accounting (goal: each within 1.2x).
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { parse, stringify } from "yaml";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Miniflare } from "miniflare";
import { FakeProvider, type Behaviour } from "./fakeProviders";
import { COMPATIBILITY_DATE, addClientKey, defaultGatewayBindings, gatewayInWorkerd } from "./gatewayWorkerd";
import { bundleWorker } from "../components/edge/workerBundle";
import { REPO_ROOT } from "../config/repoRoot";
import { EXIT_USAGE, UsageError, parseArgs, wantsHelp } from "./plan/cli";
import { estimateCost, readPrices, readUsage } from "./plan/cost";
import type { PlanDocument } from "./plan/document";

const PEERS = join(REPO_ROOT, "..", "shared", "bench", "peers");
const SCRATCH = join(REPO_ROOT, ".tmp", "bench-peers");

interface Sample {
    seconds: number;
    peakMiB: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Wall time and peak RSS of one command, from GNU time (Debian package `time`). */
function measure(command: string[], cwd: string): Sample {
    const result = spawnSync("/usr/bin/time", ["-f", "%e %M", ...command], { cwd, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
    if (result.error) throw new UsageError("/usr/bin/time is missing: apt-get install -y time");
    if (result.status !== 0) throw new Error(`${command.join(" ")} failed in ${cwd}:\n${result.stderr}`);
    const [seconds, kib] = result.stderr.trim().split("\n").pop()!.split(" ").map(Number);
    return { seconds: seconds!, peakMiB: kib! / 1024 };
}

/** A scratch copy of a peer with its dependencies installed, never run in place. */
function preparePeer(name: string): string {
    const dir = join(SCRATCH, name);
    if (!existsSync(join(dir, "node_modules"))) {
        if (!existsSync(join(PEERS, name))) throw new UsageError(`no peer at ${join(PEERS, name)}`);
        mkdirSync(dir, { recursive: true });
        cpSync(join(PEERS, name), dir, { recursive: true });
        process.stderr.write(`installing the ${name} peer in ${dir} ...\n`);
        const install = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: dir, stdio: "inherit" });
        if (install.status !== 0) throw new Error(`npm ci failed for the ${name} peer`);
    }
    return dir;
}

/** The SDKs the program loads, as the plan's bundle keeps them external (components/{aws,cloudflare,kubernetes,pagerduty}.ts). */
const PROGRAM_SDKS = ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/cloudflare", "@pulumi/kubernetes", "@pulumi/random", "@pulumi/pagerduty"];
const EIGHT_REGIONS = ["us-east-1", "us-west-2", "us-east-2", "us-west-1", "eu-west-1", "eu-central-1", "ap-southeast-1", "ap-northeast-1"];

/** Production's stack file over eight Regions (the first primary, the rest standbys), in a scratch config dir. */
function eightRegionConfigDir(): string {
    const dir = join(REPO_ROOT, ".tmp", "bench-eight-regions");
    mkdirSync(dir, { recursive: true });
    const file = parse(readFileSync(join(REPO_ROOT, "Pulumi.production.yaml"), "utf8")) as { config: Record<string, unknown> };
    file.config["ops-platform:regions"] = EIGHT_REGIONS.map((region, i) => ({ region, cidrBlock: `10.${i}.0.0/16`, standby: i > 0 }));
    const fleet = file.config["ops-platform:fleet"] as Record<string, unknown>;
    fleet["certificateArns"] = Object.fromEntries(
        EIGHT_REGIONS.map((region) => [
            region,
            `arn:aws:acm:${region}:111122223333:certificate/5f0c7e36-6a1b-4c55-9a43-0a5d8a1c1b0${EIGHT_REGIONS.indexOf(region)}`,
        ]),
    );
    writeFileSync(join(dir, "Pulumi.production.yaml"), stringify(file));
    return dir;
}

function benchPlan(runs: number): void {
    const cdk = preparePeer("cdk");
    const plain = preparePeer("pulumi-plain");
    const plan = [process.execPath, join(REPO_ROOT, "tools", "bin", "run.cjs"), "plan", "production"];
    const contenders: Record<string, [string[], string]> = {
        "ops-platform plan (production)": [plan, REPO_ROOT],
        "CDK synth + cdk-nag (39 resources)": [[process.execPath, "app.js"], cdk],
        "plain Pulumi under mocks (41 resources)": [[process.execPath, "app.js"], plain],
        "require() of the program's SDKs": [
            [process.execPath, "-e", PROGRAM_SDKS.map((m) => `require(${JSON.stringify(m)})`).join(";")],
            REPO_ROOT,
        ],
        "ops-platform plan (eight Regions)": [[...plan, "--config-dir", eightRegionConfigDir()], REPO_ROOT],
    };
    const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
    for (let i = 0; i < runs; i++) {
        // Alternate the order each round so drift on a noisy machine hits everyone alike.
        const names = i % 2 === 0 ? Object.keys(contenders) : Object.keys(contenders).reverse();
        for (const name of names) samples[name]!.push(measure(...contenders[name]!));
    }
    const summary = Object.fromEntries(
        Object.entries(samples).map(([k, s]) => [
            k,
            { seconds: median(s.map((x) => x.seconds)), peakMiB: median(s.map((x) => x.peakMiB)) },
        ]),
    );
    for (const [name, s] of Object.entries(summary))
        process.stdout.write(`${name.padEnd(42)} ${s.seconds.toFixed(2)} s  ${s.peakMiB.toFixed(0)} MiB  (median of ${runs})\n`);
    const [ours, cdkResult, plainResult, sdks, eight] = Object.values(summary) as [Sample, Sample, Sample, Sample, Sample];
    const wall = ours.seconds / cdkResult.seconds;
    const memory = ours.peakMiB / cdkResult.peakMiB;
    process.stdout.write(
        `\nvs CDK: wall ${wall.toFixed(2)}x (goal <= 0.50: ${wall <= 0.5 ? "met" : "NOT met"}), memory ${memory.toFixed(2)}x (goal <= 0.50: ${memory <= 0.5 ? "met" : "NOT met"})\n`,
    );
    process.stdout.write(
        `vs plain Pulumi: wall ${(ours.seconds / plainResult.seconds).toFixed(2)}x, memory ${(ours.peakMiB / plainResult.peakMiB).toFixed(2)}x\n`,
    );
    const load = ours.seconds / sdks.seconds;
    const regions = eight.seconds / ours.seconds;
    process.stdout.write(`vs require() of its SDKs: wall ${load.toFixed(2)}x (goal <= 1.30: ${load <= 1.3 ? "met" : "NOT met"})\n`);
    process.stdout.write(
        `eight Regions vs production: wall ${regions.toFixed(2)}x (goal <= 1.50: ${regions <= 1.5 ? "met" : "NOT met"})\n`,
    );
    // The cost estimate, in the plan's process: reading its tables and pricing the document.
    const doc = JSON.parse(readFileSync(join(REPO_ROOT, "plans", "production.json"), "utf8")) as PlanDocument;
    const estimates = Array.from({ length: 20 }, () => {
        const start = performance.now();
        estimateCost(doc, readPrices(), readUsage("production"));
        return performance.now() - start;
    });
    const share = median(estimates) / 1000 / ours.seconds;
    process.stdout.write(
        `cost estimate: ${median(estimates).toFixed(1)} ms, ${(share * 100).toFixed(1)}% of the production plan (goal <= 10%: ${share <= 0.1 ? "met" : "NOT met"})\n`,
    );
}

async function benchWorker(runs: number): Promise<void> {
    const bundle = bundleWorker();
    const size = Buffer.byteLength(bundle.code);
    process.stdout.write(
        `gateway bundle: ${(size / 1024).toFixed(1)} KiB minified, ${(gzipSync(bundle.code).length / 1024).toFixed(1)} KiB gzip (goal <= 64 KiB: ${size <= 64 * 1024 ? "met" : "NOT met"})\n`,
    );
    const vars = defaultGatewayBindings("bench");
    // /health asks each provider for its models: fakes here, as in the load runs.
    const [openai, anthropic] = [new FakeProvider("openai"), new FakeProvider("anthropic")];
    const gateway = gatewayInWorkerd({ ...vars, OPENAI_URL: await openai.start(), ANTHROPIC_URL: await anthropic.start() });
    const empty = new Miniflare({
        modules: true,
        script: 'export default { fetch() { return new Response("ok"); } };',
        compatibilityDate: COMPATIBILITY_DATE,
    });
    const latency = async (mf: Miniflare) => {
        const times: number[] = [];
        for (let i = 0; i < runs; i++) {
            const start = performance.now();
            const response = await mf.dispatchFetch("https://bench.test/health");
            await response.arrayBuffer();
            if (i > 10) times.push(performance.now() - start);
        }
        return median(times);
    };
    try {
        const [g, e] = [await latency(gateway), await latency(empty)];
        process.stdout.write(
            `/health in workerd: ${g.toFixed(2)} ms median; empty Worker ${e.toFixed(2)} ms; ratio ${(g / e).toFixed(2)}x (goal <= 1.5x: ${g / e <= 1.5 ? "met" : "NOT met"})\n`,
        );
    } finally {
        await Promise.all([gateway.dispose(), empty.dispose(), openai.stop(), anthropic.stop()]);
    }
    await benchFailover(vars);
}

const LOAD = { requests: 1000, concurrency: 50, upstreamLatencyMs: 20 };

/**
 * The healthy run on this two-core machine before per-client usage, budgets and request logs
 * (commit d49a9cf, 2026-12-04, the median of three runs of each percentile): what the
 * accounting's cost is measured against, with the same median of three.
 */
const BEFORE_ACCOUNTING = { p50: 66.8, p95: 104.9, p99: 143.8 };
const HEALTHY_RUNS = 3;

interface LoadResult {
    p50: number;
    p95: number;
    p99: number;
    max: number;
    serverErrors: number;
    otherErrors: number;
}

/** Nearest-rank percentile of sorted values. */
const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** One scenario on a fresh gateway (fresh circuits and slots), the production settings' defaults. */
async function failoverRun(vars: Record<string, string>, primary: Behaviour): Promise<LoadResult> {
    const openai = new FakeProvider("openai");
    const anthropic = new FakeProvider("anthropic");
    openai.behaviour = primary;
    openai.latencyMs = anthropic.latencyMs = LOAD.upstreamLatencyMs;
    const gateway = gatewayInWorkerd({ ...vars, OPENAI_URL: await openai.start(), ANTHROPIC_URL: await anthropic.start() });
    try {
        const url = `${(await gateway.ready).toString()}v1/chat/completions`;
        await addClientKey(gateway, "bench-key", {
            client: "bench",
            rateLimit: { burst: 100_000, maxRequests: 100_000 },
            tokensPerMinute: 100_000_000,
            monthlyBudget: { tokens: 1e12, usd: 1e9 },
        });
        const times: number[] = [];
        const statuses: number[] = [];
        let next = 0;
        const client = async () => {
            for (let i = next++; i < LOAD.requests; i = next++) {
                const start = performance.now();
                const response = await fetch(url, {
                    method: "POST",
                    headers: { "content-type": "application/json", authorization: "Bearer bench-key" },
                    body: JSON.stringify({ model: "auto", messages: [{ role: "user", content: `request ${i}` }] }),
                });
                await response.arrayBuffer();
                times.push(performance.now() - start);
                statuses.push(response.status);
            }
        };
        await Promise.all(Array.from({ length: LOAD.concurrency }, client));
        const sorted = times.sort((a, b) => a - b);
        return {
            p50: percentile(sorted, 50),
            p95: percentile(sorted, 95),
            p99: percentile(sorted, 99),
            max: sorted.at(-1)!,
            serverErrors: statuses.filter((s) => s >= 500).length,
            otherErrors: statuses.filter((s) => s !== 200 && s < 500).length,
        };
    } finally {
        await gateway.dispose();
        await Promise.all([openai.stop(), anthropic.stop()]);
    }
}

async function benchFailover(vars: Record<string, string>): Promise<void> {
    process.stdout.write(
        `\nfailover under load: ${LOAD.requests} requests at concurrency ${LOAD.concurrency}, providers answering in ${LOAD.upstreamLatencyMs} ms, timeout ${vars["PROVIDER_TIMEOUT_MS"]} ms, concurrency min ${vars["CONCURRENCY_MIN"]} max ${vars["CONCURRENCY_MAX"]}\n`,
    );
    const runs: LoadResult[] = [];
    for (let i = 0; i < HEALTHY_RUNS; i++) runs.push(await failoverRun(vars, "ok"));
    const healthy = Object.fromEntries(
        (Object.keys(runs[0]!) as Array<keyof LoadResult>).map((k) => [k, median(runs.map((r) => r[k]))]),
    ) as unknown as LoadResult;
    const line = (name: string, r: LoadResult) =>
        `${name.padEnd(20)} p50 ${r.p50.toFixed(1)} ms  p95 ${r.p95.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  max ${r.max.toFixed(0)} ms  client 5xx ${r.serverErrors}  other non-200 ${r.otherErrors}`;
    process.stdout.write(`${line(`both healthy (median of ${HEALTHY_RUNS})`, healthy)}\n`);
    const ratios = (["p50", "p95", "p99"] as const).map((p) => [p, healthy[p] / BEFORE_ACCOUNTING[p]] as const);
    process.stdout.write(
        `  with per-client accounting vs before it: ${ratios.map(([p, r]) => `${p} ${r.toFixed(2)}x`).join("  ")} (goal <= 1.2x: ${ratios.every(([, r]) => r <= 1.2) ? "met" : "NOT met"})\n`,
    );
    for (const [name, behaviour] of [
        ["primary dead", "dead"],
        ["primary hanging", "hang"],
    ] as const) {
        const r = await failoverRun(vars, behaviour);
        const ratio = r.p99 / healthy.p99;
        process.stdout.write(
            `${line(name, r)}  p99 ${ratio.toFixed(2)}x healthy (goal: 0 5xx and <= 1.5x: ${r.serverErrors === 0 && ratio <= 1.5 ? "met" : "NOT met"})\n`,
        );
    }
}

const USAGE = "usage: npm run bench -- <plan|worker> [--runs N]";

async function main(argv: string[]): Promise<void> {
    if (wantsHelp(argv)) {
        process.stdout.write(
            `${USAGE}\n\n  plan         the offline plan's time and memory beside its peers\n  worker       the gateway under load in workerd, healthy and with a dead or hanging provider\n  --runs N     repetitions (plan 5, worker 300)\n  -h, --help   this text\n`,
        );
        return;
    }
    const { positional, flags } = parseArgs(argv, ["runs"]);
    const runs = Number(flags["runs"] ?? (positional[0] === "worker" ? 300 : 5));
    if (!Number.isInteger(runs) || runs < 1) throw new UsageError("--runs takes a positive whole number");
    if (positional[0] === "plan") return benchPlan(runs);
    if (positional[0] === "worker") return benchWorker(runs);
    throw new UsageError(USAGE);
}

main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof UsageError ? EXIT_USAGE : 1);
});
