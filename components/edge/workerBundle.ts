/**
 * Bundles the gateway Worker with esbuild, deterministically: the same source gives the same
 * bytes, so an unchanged Worker gives an unchanged plan (and the bundle is reused from disk while
 * its sources are unchanged: tools/bin/bundleCache.cjs).
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { REPO_ROOT } from "../../config/repoRoot";
import { cachedBuildSync } from "../../tools/bin/bundleCache.cjs";

export const GATEWAY_ENTRY = join(REPO_ROOT, "workers", "gateway", "src", "index.ts");
/** The script hosting the gateway's RateLimiter Durable Object class. */
export const RATE_LIMITER_ENTRY = join(REPO_ROOT, "workers", "gateway", "src", "rateLimiterWorker.ts");
/** The monitoring pipeline's dead man's switch. */
export const HEARTBEAT_ENTRY = join(REPO_ROOT, "workers", "heartbeat", "src", "index.ts");

export interface WorkerBundle {
    /** The ES module, minified. */
    code: string;
    /** sha256 of the code, hex. */
    sha256: string;
    /** Short content version reported by /health and used as the version tag. */
    version: string;
}

const bundles = new Map<string, WorkerBundle>();

/** The bundle of `entry`, built once per process. */
export function bundleWorker(entry = GATEWAY_ENTRY): WorkerBundle {
    const cached = bundles.get(entry) ?? buildWorkerBundle(entry);
    bundles.set(entry, cached);
    return cached;
}

/** `build` turns esbuild options into the bundle's text; tests pass one that never reads the cache. */
export function buildWorkerBundle(entry: string, build: typeof cachedBuildSync = cachedBuildSync): WorkerBundle {
    const code = build({
        entryPoints: [entry],
        bundle: true,
        format: "esm",
        platform: "neutral",
        target: "es2022",
        conditions: ["workerd", "worker", "browser"],
        mainFields: ["module", "main"],
        minify: true,
        legalComments: "none",
        logLevel: "silent",
    });
    const sha256 = createHash("sha256").update(code).digest("hex");
    return { code, sha256, version: sha256.slice(0, 12) };
}
