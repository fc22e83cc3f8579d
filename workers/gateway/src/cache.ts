/**
 * Response cache: a small in-isolate LRU (cache.size entries) in front of KV (cache.ttlMs),
 * with expired entries swept at most every cache.cleanupIntervalMs; identical misses in flight
 * at once share one upstream call.
 *
 * Only answers a client asked to be deterministic are cached: `temperature: 0`, one choice,
 * not streamed. Anything sampled would turn one random answer into everyone's answer for hours.
 */
import { stringify } from "safe-stable-stringify";
import { sha256Hex } from "./clientKeys";
import type { ChatRequest } from "./openaiApi";
import type { Settings } from "./settings";
import { DEPENDENCY_TIMEOUT_MS, withTimeout } from "./timeouts";

interface Entry {
    value: string;
    expiresAt: number;
}

/** KV refuses expirations under 60 seconds. */
const KV_MIN_TTL_SECONDS = 60;

export class ResponseCache {
    private readonly memory = new Map<string, Entry>();
    private readonly pending = new Map<string, Promise<unknown>>();
    private lastSweep = 0;

    constructor(
        private readonly kv: KVNamespace,
        private readonly settings: Settings["cache"],
    ) {}

    async get(key: string, now = Date.now()): Promise<string | null> {
        this.sweep(now);
        const hit = this.memory.get(key);
        if (hit && hit.expiresAt > now) {
            this.memory.delete(key);
            this.memory.set(key, hit);
            return hit.value;
        }
        // A cache that does not answer is a miss (the caller catches), not a wait.
        const stored = await withTimeout(this.kv.get(key), DEPENDENCY_TIMEOUT_MS, "the cache (KV)");
        if (stored !== null) this.remember(key, stored, now);
        return stored;
    }

    async put(key: string, value: string, now = Date.now()): Promise<void> {
        this.remember(key, value, now);
        await withTimeout(
            this.kv.put(key, value, { expirationTtl: Math.max(KV_MIN_TTL_SECONDS, Math.ceil(this.settings.ttlMs / 1000)) }),
            DEPENDENCY_TIMEOUT_MS,
            "the cache (KV)",
        );
    }

    /** Runs `work` once for all callers asking for `key` while it is in flight. */
    coalesce<T>(key: string, work: () => Promise<T>): { result: Promise<T>; shared: boolean } {
        const inFlight = this.pending.get(key) as Promise<T> | undefined;
        if (inFlight) return { result: inFlight, shared: true };
        const result = work().finally(() => this.pending.delete(key));
        this.pending.set(key, result);
        return { result, shared: false };
    }

    private remember(key: string, value: string, now: number): void {
        this.memory.delete(key);
        this.memory.set(key, { value, expiresAt: now + this.settings.ttlMs });
        while (this.memory.size > this.settings.size) this.memory.delete(this.memory.keys().next().value as string);
    }

    private sweep(now: number): void {
        if (now - this.lastSweep < this.settings.cleanupIntervalMs) return;
        this.lastSweep = now;
        for (const [key, entry] of this.memory) if (entry.expiresAt <= now) this.memory.delete(key);
    }
}

/** Whether an answer to `request` may be cached and shared with the same client's identical requests. */
export function cacheable(request: ChatRequest): boolean {
    return request.temperature === 0 && !request.stream;
}

/**
 * The key of an answer: who asked and everything in the request that can change the answer
 * (model, messages, sampling, seed, tools, max tokens...), with object keys in a stable order
 * so the same request always has the same key.
 */
export async function cacheKey(client: string, request: ChatRequest, model: unknown): Promise<string> {
    // An object always stringifies to a string.
    return `chat:${await sha256Hex(stringify({ client, model, request: request.body }) as string)}`;
}
