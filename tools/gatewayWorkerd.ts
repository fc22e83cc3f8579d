/**
 * The gateway as Cloudflare runs it, in workerd through miniflare: the gateway script and the
 * script hosting its RateLimiter Durable Object, bound across scripts exactly as
 * components/edge/gatewayWorker.ts binds them.
 */
import { createHash } from "node:crypto";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { Miniflare } from "miniflare";
import { GATEWAY_ENTRY, RATE_LIMITER_ENTRY, bundleWorker } from "../components/edge/workerBundle";
import { gatewayVars } from "../components/edge/workerVars";
import { sectionSettings } from "../config/sections";
import { keyRecordName, type ClientRecord } from "../workers/gateway/src/clientKeyRecord";
import { PROVIDER_CATALOGUE, PROVIDER_NAMES, providerBindings } from "../workers/gateway/src/providers/catalogue";
import { VERSION_METADATA_BINDING, type GatewaySecret, type GatewayVar } from "../workers/gateway/src/vars";

/** Vars and secrets by their contract names (an undefined one removes the binding). */
export type BindingOverrides = Partial<Record<GatewayVar | GatewaySecret, string | undefined>>;

/** A test key for every provider: `<environment>-<provider>-key`. */
function providerTestKeys(environment: string): Record<GatewaySecret, string> {
    return Object.fromEntries(
        PROVIDER_NAMES.map((name) => [providerBindings(PROVIDER_CATALOGUE[name]).apiKey, `${environment}-${name}-key`]),
    ) as Record<GatewaySecret, string>;
}

export const COMPATIBILITY_DATE = "2026-04-01";

/**
 * The vars and secrets a deployed gateway gets with the schema's edge defaults (production's
 * values), for `environment`, with `overrides` on top (an undefined override removes a binding).
 */
export function defaultGatewayBindings(environment: string, overrides: BindingOverrides = {}): Record<string, string> {
    const vars = gatewayVars(sectionSettings("edge", undefined, "the gateway in workerd"), {
        environment,
        version: bundleWorker().version,
        originUrl: "http://127.0.0.1:9",
    });
    const all = { ...vars, ...providerTestKeys(environment), ...overrides };
    return Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined));
}

/**
 * The gateway's console.log lines as Logpush would keep them (its JSON request lines among
 * them), in order; `waitFor` resolves with the first line, present or to come, that `match`
 * accepts, or rejects after `timeoutMs`.
 */
export class WorkerLog {
    readonly lines: string[] = [];
    private waiters: Array<{ match: (line: string) => boolean; resolve: (line: string) => void }> = [];

    add(line: string): void {
        this.lines.push(line);
        for (const w of this.waiters.filter((w) => w.match(line))) w.resolve(line);
        this.waiters = this.waiters.filter((w) => !w.match(line));
    }

    waitFor(match: (line: string) => boolean, timeoutMs = 5_000): Promise<string> {
        const seen = this.lines.find(match);
        if (seen !== undefined) return Promise.resolve(seen);
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no log line matched within ${timeoutMs} ms`)), timeoutMs);
            this.waiters.push({ match, resolve: (line) => (clearTimeout(timer), resolve(line)) });
        });
    }

    /** The JSON log line of request `requestId` (gateway.ts writes one per chat request, once its usage is known). */
    async request(requestId: string): Promise<Record<string, unknown>> {
        return JSON.parse(await this.waitFor((line) => line.includes(`"requestId":"${requestId}"`))) as Record<string, unknown>;
    }
}

/**
 * The two scripts with the gateway's KV, R2 and Durable Object bindings; `bindings` are its vars
 * and secrets. `rateLimiterCode` replaces the rate limiter's script (a test's broken one). The
 * Worker's console (stdout and stderr) goes to `log`, and to this process's stderr with
 * OPS_PLATFORM_DEBUG=1; workerd's own failures surface as miniflare's errors either way.
 */
export function gatewayInWorkerd(
    bindings: Record<string, string>,
    entry = GATEWAY_ENTRY,
    rateLimiterCode?: string,
    log?: WorkerLog,
): Miniflare {
    return new Miniflare({
        handleRuntimeStdio(stdout: Readable, stderr: Readable) {
            for (const stream of [stdout, stderr])
                createInterface({ input: stream }).on("line", (line) => {
                    log?.add(line);
                    if (process.env["OPS_PLATFORM_DEBUG"]) process.stderr.write(`${line}\n`);
                });
        },
        workers: [
            {
                name: "gateway",
                modules: [{ type: "ESModule", path: "index.js", contents: bundleWorker(entry).code }],
                compatibilityDate: COMPATIBILITY_DATE,
                kvNamespaces: ["CACHE", "STATE"],
                r2Buckets: ["BACKUPS"],
                analyticsEngineDatasets: { ANALYTICS: { dataset: "gateway_test" } },
                versionMetadata: VERSION_METADATA_BINDING,
                durableObjects: { RATE_LIMITER: { className: "RateLimiter", scriptName: "rate-limiter" } },
                bindings,
            },
            {
                name: "rate-limiter",
                modules: [{ type: "ESModule", path: "index.js", contents: rateLimiterCode ?? bundleWorker(RATE_LIMITER_ENTRY).code }],
                compatibilityDate: COMPATIBILITY_DATE,
                durableObjects: { RATE_LIMITER: "RateLimiter" },
            },
        ],
    });
}

/** The STATE key under which a client key's record is stored: only the key's SHA-256. */
export function clientKeyName(key: string): string {
    return keyRecordName(createHash("sha256").update(key).digest("hex"));
}

/** Stores a client key the way `npm run keys -- add` does, naming the client. */
export async function addClientKey(mf: Miniflare, key: string, record: ClientRecord): Promise<void> {
    const state = await mf.getKVNamespace("STATE");
    await state.put(clientKeyName(key), JSON.stringify(record), { metadata: { client: record.client } });
}
