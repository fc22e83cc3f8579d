/**
 * Response cache: a small in-isolate LRU (cache.size entries) in front of KV (cache.ttlMs),
 * with expired entries swept at most every cache.cleanupIntervalMs.
 */
import type { Settings } from "./settings";

interface Entry {
    value: string;
    expiresAt: number;
}

/** KV refuses expirations under 60 seconds. */
const KV_MIN_TTL_SECONDS = 60;

export class ResponseCache {
    private readonly memory = new Map<string, Entry>();
    private lastSweep = 0;

    constructor(private readonly kv: KVNamespace, private readonly settings: Settings["cache"]) {}

    async get(key: string, now = Date.now()): Promise<string | null> {
        this.sweep(now);
        const hit = this.memory.get(key);
        if (hit && hit.expiresAt > now) {
            this.memory.delete(key);
            this.memory.set(key, hit);
            return hit.value;
        }
        const stored = await this.kv.get(key);
        if (stored !== null) this.remember(key, stored, now);
        return stored;
    }

    async put(key: string, value: string, now = Date.now()): Promise<void> {
        this.remember(key, value, now);
        await this.kv.put(key, value, { expirationTtl: Math.max(KV_MIN_TTL_SECONDS, Math.ceil(this.settings.ttlMs / 1000)) });
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

/** The key of an answer: the whole request and who asked, so one client never gets another's answer. */
export async function cacheKey(client: string, body: unknown): Promise<string> {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify({ client, body })));
    return `chat:${[...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}
