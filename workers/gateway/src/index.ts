/**
 * The gateway Worker: /health, the AI provider manager at /v1/chat (cached, rate limited),
 * everything else proxied to the origin; on schedule, the KV backup to R2.
 */
import { ResponseCache, cacheKey } from "./cache";
import { backupKv } from "./kvBackup";
import { readJsonBody } from "./limits";
import { chat, circuits, parseChatRequest } from "./providers";
import type { TakeResult } from "./rateLimiter";
import { readSettings, type Env, type Settings } from "./settings";

let caches: { kv: KVNamespace; cache: ResponseCache } | undefined;
let inFlight = 0;

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
    return Response.json(body, { status, headers });
}

async function check(name: string, probe: () => Promise<unknown>): Promise<[string, string]> {
    try {
        await probe();
        return [name, "ok"];
    } catch (error) {
        return [name, `error: ${(error as Error).message}`];
    }
}

/**
 * Dependency probes are shared for a few seconds per isolate, so a burst of health checks
 * (many load-balancer regions, a smoke test) does not turn into a burst on KV, R2 and the
 * Durable Object. Config problems are always judged fresh.
 */
const PROBE_TTL_MS = 5_000;
let lastProbe: { at: number; dependencies: Record<string, string> } | undefined;

async function probeDependencies(env: Env): Promise<{ at: number; dependencies: Record<string, string> }> {
    const now = Date.now();
    if (lastProbe && now - lastProbe.at < PROBE_TTL_MS) return lastProbe;
    const limiter = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName("health"));
    const dependencies = Object.fromEntries(
        await Promise.all([
            check("kv", () => env.CACHE.get("health-probe")),
            check("r2", () => env.BACKUPS.head("health-probe")),
            check("rateLimiter", async () => {
                const r = await limiter.fetch("https://rate-limiter/ping");
                if (!r.ok) throw new Error(`status ${r.status}`);
            }),
        ]),
    );
    lastProbe = { at: now, dependencies };
    return lastProbe;
}

async function health(env: Env): Promise<Response> {
    const { settings, problems } = readSettings(env);
    const { at, dependencies } = await probeDependencies(env);
    const order = String(env.PROVIDER_ORDER).split(",").filter(Boolean);
    const providers = Object.fromEntries(order.map((p) => [p, env[p === "openai" ? "OPENAI_API_KEY" : "ANTHROPIC_API_KEY"] ? "configured" : "missing key"]));
    // Circuits this isolate keeps: when every provider's is open, no request can be served.
    const breaker = settings && circuits(settings);
    const circuitStates = Object.fromEntries(order.map((p) => [p, breaker?.state(p) ?? "closed"]));
    const noneCanServe = order.length > 0 && Object.values(circuitStates).every((state) => state === "open");
    if (noneCanServe) problems.push("every provider's circuit is open after repeated failures");
    const ok = problems.length === 0 && Object.values(dependencies).every((d) => d === "ok");
    return json({ status: ok ? "ok" : "degraded", version: env.VERSION, environment: env.ENVIRONMENT, checkedAt: new Date(at).toISOString(), dependencies: { ...dependencies, providers, circuits: circuitStates }, problems }, ok ? 200 : 503, { "cache-control": "no-store" });
}

async function takeToken(env: Env, settings: Settings, client: string): Promise<TakeResult> {
    const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(client));
    const { maxRequests, windowMs, burst } = settings.rateLimit;
    const response = await stub.fetch("https://rate-limiter/take", { method: "POST", body: JSON.stringify({ maxRequests, windowMs, burst }) });
    return response.json();
}

async function chatRoute(request: Request, env: Env, settings: Settings): Promise<Response> {
    // Bad input is refused before a rate-limit token is spent.
    const body = await readJsonBody(request);
    if (!body.ok) return json({ error: body.error }, body.status);
    const parsed = parseChatRequest(body.body);
    if (typeof parsed === "string") return json({ error: parsed }, 400);

    const client = request.headers.get("cf-connecting-ip") ?? "anonymous";
    const token = await takeToken(env, settings, client);
    if (!token.allowed) return json({ error: "rate limited" }, 429, { "retry-after": String(Math.ceil(token.retryAfterMs / 1000)) });

    if (caches?.kv !== env.CACHE) caches = { kv: env.CACHE, cache: new ResponseCache(env.CACHE, settings.cache) };
    const key = await cacheKey(client, parsed);
    const cached = await caches.cache.get(key);
    if (cached !== null) return new Response(cached, { headers: { "content-type": "application/json", "x-cache": "HIT" } });

    if (inFlight >= settings.concurrency.max) return json({ error: "over capacity" }, 503, { "retry-after": "1" });
    inFlight++;
    try {
        const outcome = await chat(env, settings, parsed);
        if (!outcome.ok) return json(outcome.body, outcome.status, outcome.retryAfterSeconds ? { "retry-after": String(outcome.retryAfterSeconds) } : {});
        const body = JSON.stringify(outcome.reply);
        // The answer is the client's either way; a cache that cannot take it costs a miss later, not this request.
        await caches.cache.put(key, body).catch((error: unknown) => console.warn("cache write failed", error));
        return new Response(body, { headers: { "content-type": "application/json", "x-cache": "MISS", "x-provider": outcome.reply.provider } });
    } finally {
        inFlight--;
    }
}

/** Everything else goes to the origin, on the origin's host whatever the path looks like. */
function toOrigin(request: Request, url: URL, env: Env): Promise<Response> {
    const target = new URL(env.ORIGIN_URL);
    // Set, never resolved against: a path such as //other-host/x must not become another host.
    target.pathname = url.pathname;
    target.search = url.search;
    return fetch(new Request(target, request));
}

async function route(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/health" && request.method === "HEAD") {
        const response = await health(env);
        return new Response(null, { status: response.status, headers: response.headers });
    }
    if (url.pathname === "/health" && request.method === "GET") return health(env);
    if (url.pathname === "/v1/chat") {
        if (request.method !== "POST") return json({ error: "use POST" }, 405, { allow: "POST" });
        const { settings, problems } = readSettings(env);
        if (!settings) return json({ error: "gateway misconfigured", problems }, 503);
        return chatRoute(request, env, settings);
    }
    return toOrigin(request, url, env);
}

export default {
    async fetch(request: Request, env: Env): Promise<Response> {
        try {
            return await route(request, env);
        } catch (error) {
            // Whatever broke, the client gets JSON and no internals.
            console.error("gateway error", error);
            return json({ error: "internal error" }, 500);
        }
    },

    async scheduled(controller: ScheduledController, env: Env): Promise<void> {
        const { settings, problems } = readSettings(env);
        if (!settings) throw new Error(`KV backup skipped, gateway misconfigured: ${problems.join("; ")}`);
        await backupKv(env, settings.backup, controller.scheduledTime);
    },
} satisfies ExportedHandler<Env>;
