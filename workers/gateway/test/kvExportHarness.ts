/**
 * Test-only entry (tests/worker/kvBackup.test.ts): runs the KV export against the real KV and
 * R2 bindings in workerd, counting every operation it makes on them, since an invocation may
 * make at most 1,000 (developers.cloudflare.com/kv/platform/limits).
 */
import { exportNamespace } from "../src/kvBackup";

interface Env {
    STATE: KVNamespace;
    BACKUPS: R2Bucket;
}

/** `target` with every method call counted in `counts[label]`; objects its methods return are counted too. */
function counting<T extends object>(target: T, counts: Record<string, number>, label: string): T {
    return new Proxy(target, {
        get(object, property) {
            const value = Reflect.get(object, property, object) as unknown;
            if (typeof value !== "function") return value;
            return (...args: unknown[]) => {
                counts[label] = (counts[label] ?? 0) + 1;
                const result = (value as (...a: unknown[]) => unknown).apply(object, args);
                return result instanceof Promise
                    ? result.then((r) => (r && typeof r === "object" && "uploadPart" in r ? counting(r as object, counts, label) : r))
                    : result;
            };
        },
    });
}

const keyName = (i: number) => `key-${String(i).padStart(6, "0")}`;
/** `bytes` random base64 characters: compresses about as badly as real data. */
function randomText(bytes: number): string {
    return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(Math.ceil((bytes * 3) / 4))))).slice(0, bytes);
}

/** Writes `count` keys into the real namespace. */
async function seed(env: Env, count: number, bytes: number): Promise<void> {
    for (let i = 0; i < count; i += 1000)
        await Promise.all(Array.from({ length: Math.min(1000, count - i) }, (_, j) => env.STATE.put(keyName(i + j), randomText(bytes))));
}

/**
 * A namespace of `count` keys generated on demand, with KV's paging (1,000 keys a list) and
 * bulk reads: for the 50,000-key run, since writing that many keys into miniflare's KV takes
 * about a minute. Its values are made as they are read, so they cost the export's memory only.
 */
function generatedNamespace(count: number, bytes: number): KVNamespace {
    const namespace = {
        async list(options: { cursor?: string } = {}) {
            const start = Number(options.cursor ?? 0);
            const end = Math.min(count, start + 1000);
            const keys = Array.from({ length: end - start }, (_, j) => ({ name: keyName(start + j) }));
            return end < count
                ? { keys, list_complete: false, cursor: String(end), cacheStatus: null }
                : { keys, list_complete: true, cacheStatus: null };
        },
        async get(keys: string | string[]) {
            if (!Array.isArray(keys)) throw new Error("the export reads single keys only for values that are not UTF-8; these all are");
            if (keys.length > 100) throw new Error(`KV bulk reads take at most 100 keys, got ${keys.length}`);
            return new Map(keys.map((k) => [k, randomText(bytes)]));
        },
    };
    return namespace as unknown as KVNamespace;
}

export default {
    async fetch(request: Request, env: Env): Promise<Response> {
        const url = new URL(request.url);
        if (url.pathname === "/seed") {
            await seed(env, Number(url.searchParams.get("count")), Number(url.searchParams.get("bytes")));
            return new Response("seeded");
        }
        const key = url.searchParams.get("key") ?? "export.ndjson.gz";
        const generate = url.searchParams.get("generate");
        const kv = generate ? generatedNamespace(Number(generate), Number(url.searchParams.get("bytes"))) : env.STATE;
        const counts: Record<string, number> = {};
        await exportNamespace(
            counting(kv, counts, "kv"),
            counting(env.BACKUPS, counts, "r2"),
            key,
            "STATE",
            new Date("2026-11-23T03:00:00Z"),
        );
        return Response.json(counts);
    },
} satisfies ExportedHandler<Env>;
