/**
 * The gateway Worker, for a set of provider adapters: /health; the AI provider manager as OpenAI's Chat Completions API at
 * /v1/chat/completions (client keys, per-client rate limits, cache, failover); everything else
 * proxied to the origin; on schedule, the KV backup to R2.
 */
import { record, recordKvExport, type KvExportRun, type RequestSummary } from "./analytics";
import { ResponseCache, cacheKey, cacheable } from "./cache";
import { authenticate, type ClientRecord } from "./clientKeys";
import { backupKv } from "./kvBackup";
import { readJsonBody } from "./limits";
import { completion, errorResponse, invalid, newCompletionId, parseChatRequest } from "./openaiApi";
import { chat, providerState, type ChatOutcome } from "./providers/failover";
import type { Adapters } from "./providers/registry";
import type { TakeResult } from "./rateLimiter";
import { providerOrder, readSettings, type Env, type Settings } from "./settings";

let caches: { kv: KVNamespace; cache: ResponseCache } | undefined;

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
/** /health answers within the load balancer's monitor timeout (edge.loadBalancer.monitorTimeoutSeconds, 5 s) even when the limiter hangs. */
const RATE_LIMITER_PING_TIMEOUT_MS = 2_000;
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
                const r = await withTimeout(limiter.fetch("https://rate-limiter/ping"), RATE_LIMITER_PING_TIMEOUT_MS, "the rate limiter");
                if (!r.ok) throw new Error(`status ${r.status}`);
            }),
        ]),
    );
    lastProbe = { at: now, dependencies };
    return lastProbe;
}

async function health(env: Env, adapters: Adapters): Promise<Response> {
    const { settings, problems, misconfigured } = readSettings(env, adapters);
    const { at, dependencies } = await probeDependencies(env);
    const order = providerOrder(env);
    const state = settings && providerState(settings);
    // What this isolate knows of each provider: its bindings wrong, its key refused, or a circuit open.
    const providers: Record<string, { state: string; reason?: string }> = Object.fromEntries(
        order.map((p) => {
            const refused = state?.refusedKeys.get(p);
            if (misconfigured[p] !== undefined) return [p, { state: "misconfigured", reason: misconfigured[p] }];
            if (refused !== undefined) return [p, { state: "misconfigured", reason: `the provider refused our key (status ${refused})` }];
            return [p, { state: state?.breaker.state(p) ?? "closed", ...(state ? { slots: state.limits.snapshot(p) } : {}) }];
        }),
    );
    const canServe = Object.values(providers).some((p) => p.state === "closed" || p.state === "half-open");
    if (order.length > 0 && !canServe) problems.push("no provider can serve: every one is misconfigured or its circuit is open");
    const ok = problems.length === 0 && Object.values(dependencies).every((d) => d === "ok");
    return json(
        {
            status: ok ? "ok" : "degraded",
            version: env.VERSION,
            environment: env.ENVIRONMENT,
            checkedAt: new Date(at).toISOString(),
            dependencies,
            providers,
            problems,
        },
        ok ? 200 : 503,
        { "cache-control": "no-store" },
    );
}

/** `work`, or a rejection naming `what` once `ms` have passed: no dependency call may hang a request. */
function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** The limiter as an attempt of its own: its failures are counted beside the providers' (GatewayProviderFailing). */
export const RATE_LIMITER_ATTEMPT = "rate-limiter";

async function takeToken(env: Env, settings: Settings, client: ClientRecord): Promise<TakeResult> {
    const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`client:${client.client}`));
    const { maxRequests, windowMs, burst } = settings.rateLimit;
    const limits = { maxRequests, windowMs, burst, ...client.rateLimit };
    return withTimeout(
        (async () => {
            const response = await stub.fetch("https://rate-limiter/take", { method: "POST", body: JSON.stringify(limits) });
            if (!response.ok) throw new Error(`the rate limiter answered ${response.status}`);
            const result = (await response.json()) as Partial<TakeResult>;
            if (typeof result.allowed !== "boolean") throw new Error("the rate limiter answered without a decision");
            return result as TakeResult;
        })(),
        settings.rateLimit.timeoutMs,
        "the rate limiter",
    );
}

function withRetryAfter(seconds: number | undefined): Record<string, string> {
    return seconds ? { "retry-after": String(seconds) } : {};
}

/** A chat request's answer and what its data point says of it. */
interface ChatAnswer {
    response: Response;
    cache?: RequestSummary["cache"];
    outcome?: ChatOutcome;
    sharedWaitMs?: number;
    /** The rate limiter's failed call, counted as an attempt of its own. */
    limiterFailure?: { provider: string; outcome: "failed"; ms: number };
}

/** Whatever broke, the client gets JSON and no internals; the logs get the error. */
function internalError(error: unknown): Response {
    console.error("gateway error", error);
    return errorResponse({ status: 500, type: "server_error", code: "internal_error", message: "internal error" });
}

/**
 * Every answer on the chat endpoint is one data point (plus one per provider tried): refusals,
 * the misconfigured 503 and an uncaught error's 500 included, so the error alerts see them all.
 */
async function chatRoute(request: Request, env: Env, adapters: Adapters): Promise<Response> {
    const started = Date.now();
    let answer: ChatAnswer;
    // What the request met on its way, whichever answer it ends with.
    const met: Pick<ChatAnswer, "limiterFailure"> = {};
    try {
        answer = await answerChat(request, env, adapters, met);
    } catch (error) {
        answer = { response: internalError(error) };
    }
    const { response, cache = "NONE", outcome, sharedWaitMs } = answer;
    const { limiterFailure } = met;
    record(env.ANALYTICS, {
        status: response.status,
        cache,
        ...(outcome?.ok ? { provider: outcome.provider } : {}),
        durationMs: Date.now() - started,
        attempts: [...(limiterFailure ? [limiterFailure] : []), ...(outcome?.attempts ?? [])],
        ...(sharedWaitMs === undefined ? {} : { sharedWaitMs }),
    });
    return response;
}

async function answerChat(request: Request, env: Env, adapters: Adapters, met: Pick<ChatAnswer, "limiterFailure">): Promise<ChatAnswer> {
    if (request.method !== "POST") return { response: errorResponse(invalid("use POST"), { allow: "POST" }, 405) };
    const { settings } = readSettings(env, adapters);
    // What is wrong is for /health and the logs; a client learns only that it cannot be served.
    if (!settings)
        return {
            response: errorResponse(
                {
                    status: 503,
                    type: "server_error",
                    code: "gateway_misconfigured",
                    message: "the gateway is misconfigured; its operators can see why at /health",
                },
                withRetryAfter(30),
            ),
        };
    const client = await authenticate(request, env.STATE);
    if (typeof client === "string")
        return {
            response: errorResponse(
                { status: 401, type: "invalid_request_error", code: "invalid_api_key", message: client },
                { "www-authenticate": "Bearer" },
            ),
        };
    // Bad input is refused before a rate-limit token is spent.
    const body = await readJsonBody(request);
    if (!body.ok)
        return { response: errorResponse(invalid(body.error, null, body.status === 413 ? "request_too_large" : null), {}, body.status) };
    const parsed = parseChatRequest(body.body);
    if ("status" in parsed) return { response: errorResponse(parsed) };

    const limiterStarted = Date.now();
    let token: TakeResult;
    try {
        token = await takeToken(env, settings, client);
    } catch (error) {
        console.error("rate limiter failed", error);
        met.limiterFailure = { provider: RATE_LIMITER_ATTEMPT, outcome: "failed", ms: Date.now() - limiterStarted };
        // Never the client's fault: a 503 to retry, or, where config says so, the request served unlimited.
        if (settings.rateLimit.onFailure === "closed")
            return {
                response: errorResponse(
                    {
                        status: 503,
                        type: "server_error",
                        code: "rate_limiter_unavailable",
                        message: "the gateway cannot check its rate limit now; retry",
                    },
                    withRetryAfter(1),
                    503,
                ),
            };
        token = { allowed: true, remaining: 0, retryAfterMs: 0 };
    }
    if (!token.allowed)
        return {
            response: errorResponse(
                {
                    status: 429,
                    type: "rate_limit_error",
                    code: "rate_limit_exceeded",
                    message: `rate limit reached for client ${client.client}`,
                },
                withRetryAfter(Math.ceil(token.retryAfterMs / 1000)),
            ),
        };

    if (caches?.kv !== env.CACHE) caches = { kv: env.CACHE, cache: new ResponseCache(env.CACHE, settings.cache) };
    const { cache } = caches;
    const useCache = cacheable(parsed);
    const key = useCache
        ? await cacheKey(client.client, parsed, {
              asked: parsed.model,
              served: settings.providers.order.map((p) => settings.providers.endpoints[p]!.model),
          })
        : undefined;
    if (key) {
        const cached = await cache.get(key).catch(() => null);
        if (cached !== null)
            return { response: new Response(cached, { headers: { "content-type": "application/json", "x-cache": "HIT" } }), cache: "HIT" };
    }
    const waitStarted = Date.now();
    const { result, shared } = key
        ? cache.coalesce(key, () => chat(adapters, settings, parsed))
        : { result: chat(adapters, settings, parsed), shared: false };
    const outcome = await result;
    const status: RequestSummary["cache"] = key ? (shared ? "SHARED" : "MISS") : "BYPASS";
    const answer = (response: Response): ChatAnswer => ({
        response,
        cache: status,
        outcome,
        ...(shared ? { sharedWaitMs: Date.now() - waitStarted } : {}),
    });
    if (!outcome.ok) return answer(errorResponse(outcome.error, withRetryAfter(outcome.retryAfterSeconds)));
    if ("stream" in outcome)
        return answer(
            new Response(outcome.stream, {
                headers: {
                    "content-type": "text/event-stream; charset=utf-8",
                    "cache-control": "no-cache",
                    "x-cache": status,
                    "x-provider": outcome.provider,
                },
            }),
        );
    const text = JSON.stringify(completion(outcome.reply, newCompletionId(), Math.floor(Date.now() / 1000)));
    // The answer is the client's either way; a cache that cannot take it costs a miss later, not this request.
    if (key && !shared) await cache.put(key, text).catch((error: unknown) => console.warn("cache write failed", error));
    return answer(
        new Response(text, { headers: { "content-type": "application/json", "x-cache": status, "x-provider": outcome.provider } }),
    );
}

/** Everything else goes to the origin, on the origin's host whatever the path looks like. */
function toOrigin(request: Request, url: URL, env: Env): Promise<Response> {
    const target = new URL(env.ORIGIN_URL);
    // Set, never resolved against: a path such as //other-host/x must not become another host.
    target.pathname = url.pathname;
    target.search = url.search;
    return fetch(new Request(target, request));
}

async function route(request: Request, env: Env, adapters: Adapters): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/health" && request.method === "HEAD") {
        const response = await health(env, adapters);
        return new Response(null, { status: response.status, headers: response.headers });
    }
    if (url.pathname === "/health" && request.method === "GET") return health(env, adapters);
    if (url.pathname === "/v1/chat/completions") return chatRoute(request, env, adapters);
    return toOrigin(request, url, env);
}

export function createGateway(adapters: Adapters): ExportedHandler<Env> {
    return {
        async fetch(request: Request, env: Env): Promise<Response> {
            try {
                return await route(request, env, adapters);
            } catch (error) {
                return internalError(error);
            }
        },

        /** Each run writes its data point, so a failed or skipped export alerts (GatewayKvExportFailed). */
        async scheduled(controller: ScheduledController, env: Env): Promise<void> {
            const started = Date.now();
            const run = (outcome: KvExportRun["outcome"], exported = 0, deleted = 0) =>
                recordKvExport(env.ANALYTICS, { outcome, ms: Date.now() - started, exported, deleted });
            const { settings, problems } = readSettings(env, adapters);
            if (!settings) {
                run("skipped");
                throw new Error(`KV backup skipped, gateway misconfigured: ${problems.join("; ")}`);
            }
            try {
                const { exported, deleted } = await backupKv(env, settings.backup, controller.scheduledTime);
                run("ok", exported.length, deleted.length);
            } catch (error) {
                run("failed");
                throw error;
            }
        },
    };
}
