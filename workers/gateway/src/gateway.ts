/**
 * The gateway Worker, for a set of provider adapters: /health; the AI provider manager as OpenAI's Chat Completions API at
 * /v1/chat/completions (client keys and their limits, cache, failover, usage per client);
 * everything else proxied to the origin; on schedule, the KV backup to R2. Every answer carries
 * its request id (x-request-id), and every chat request writes one JSON log line.
 */
import { record, recordKvExport, recordUsage, type AnswerUsage, type KvExportRun, type RequestSummary } from "./analytics";
import { ResponseCache, cacheKey, cacheable } from "./cache";
import { authenticate, type ClientRecord } from "./clientKeys";
import { answerCost } from "./modelPrices";
import { DEPENDENCY_TIMEOUT_MS, withTimeout } from "./timeouts";
import { backupKv } from "./kvBackup";
import { readJsonBody } from "./limits";
import { completion, errorResponse, invalid, newCompletionId, parseChatRequest, type Usage } from "./openaiApi";
import { chat, providerState, type ChatOutcome } from "./providers/failover";
import { refusesOurKey, type Endpoint, type ProviderAdapter } from "./providers/adapter";
import type { Adapters } from "./providers/registry";
import type { SpendRequest, TakeRequest, TakeResult } from "./rateLimiter";
import { providerOrder, readSettings, type Env, type Settings } from "./settings";

let caches: { kv: KVNamespace; cache: ResponseCache } | undefined;

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
    return Response.json(body, { status, headers });
}

/** A dependency's answer to its probe, and how long it took. */
interface ProbeResult {
    state: "ok" | "error";
    ms: number;
    error?: string;
    /** A provider's HTTP status, when it answered. */
    status?: number;
}

async function check(probe: () => Promise<unknown>): Promise<ProbeResult> {
    const started = Date.now();
    try {
        await probe();
        return { state: "ok", ms: Date.now() - started };
    } catch (error) {
        return { state: "error", ms: Date.now() - started, error: (error as Error).message };
    }
}

/**
 * Dependency probes are shared for a few seconds per isolate, so a burst of health checks
 * (many load-balancer regions, a smoke test) does not turn into a burst on KV, R2, the
 * Durable Object and the providers. Config problems are always judged fresh.
 */
const PROBE_TTL_MS = 5_000;

interface Probes {
    at: number;
    dependencies: Record<string, ProbeResult>;
    /** Each configured provider's models endpoint: whether it would take our key now. */
    providers: Record<string, ProbeResult>;
}
let lastProbes: Probes | undefined;
/** The round of probes under way: health checks arriving meanwhile wait for it rather than probe again. */
let probing: Promise<Probes> | undefined;

/** The provider's no-token probe (its models list), bounded by DEPENDENCY_TIMEOUT_MS. */
async function probeProvider(adapter: ProviderAdapter, endpoint: Endpoint): Promise<ProbeResult> {
    const started = Date.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), DEPENDENCY_TIMEOUT_MS);
    try {
        const response = await fetch(adapter.probe(endpoint), { signal: controller.signal });
        await response.body?.cancel();
        const ms = Date.now() - started;
        if (response.ok) return { state: "ok", ms, status: response.status };
        const why = refusesOurKey(response.status) ? "our key was refused" : "it answered an error";
        return { state: "error", ms, status: response.status, error: `${why} (status ${response.status})` };
    } catch (error) {
        const ms = Date.now() - started;
        const why = controller.signal.aborted
            ? `no answer within ${DEPENDENCY_TIMEOUT_MS} ms`
            : `network error: ${(error as Error).message}`;
        return { state: "error", ms, error: why };
    } finally {
        clearTimeout(timer);
    }
}

function probeAll(env: Env, adapters: Adapters, settings: Settings | undefined): Promise<Probes> {
    if (lastProbes && Date.now() - lastProbes.at < PROBE_TTL_MS) return Promise.resolve(lastProbes);
    probing ??= probeRound(env, adapters, settings).finally(() => (probing = undefined));
    return probing;
}

async function probeRound(env: Env, adapters: Adapters, settings: Settings | undefined): Promise<Probes> {
    const now = Date.now();
    const limiter = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName("health"));
    const endpoints = Object.entries(settings?.providers.endpoints ?? {});
    const [kv, r2, rateLimiter, ...providers] = await Promise.all([
        check(() => withTimeout(env.CACHE.get("health-probe"), DEPENDENCY_TIMEOUT_MS, "KV")),
        check(() => withTimeout(env.BACKUPS.head("health-probe"), DEPENDENCY_TIMEOUT_MS, "R2")),
        check(async () => {
            const r = await withTimeout(limiter.fetch("https://rate-limiter/ping"), DEPENDENCY_TIMEOUT_MS, "the rate limiter");
            if (!r.ok) throw new Error(`status ${r.status}`);
        }),
        ...endpoints.map(([name, endpoint]) => probeProvider(adapters[name]!, endpoint)),
    ]);
    lastProbes = {
        at: now,
        dependencies: { kv: kv!, r2: r2!, rateLimiter: rateLimiter! },
        providers: Object.fromEntries(endpoints.map(([name], i) => [name, providers[i]!])),
    };
    return lastProbes;
}

/** A provider as /health reports it: whether a chat completion could go to it now, and its circuit. */
interface ProviderHealth {
    state: "closed" | "half-open" | "open" | "misconfigured" | "unreachable";
    reason?: string;
    circuit?: "closed" | "half-open" | "open";
    probe?: ProbeResult;
    slots?: unknown;
}

/**
 * 200 `ok` only when a chat completion could succeed now: config sound, KV, R2 and the rate
 * limiter answering, and at least one provider whose circuit is not open taking our key on its
 * models endpoint (or answering a chat request since that probe). A fresh isolate knows no
 * circuit, so the probe is what tells.
 */
async function health(env: Env, adapters: Adapters): Promise<Response> {
    const { settings, problems, misconfigured } = readSettings(env, adapters);
    const probes = await probeAll(env, adapters, settings);
    const order = providerOrder(env);
    const state = settings && providerState(settings);
    const providers: Record<string, ProviderHealth> = Object.fromEntries(
        order.map((p): [string, ProviderHealth] => {
            if (misconfigured[p] !== undefined) return [p, { state: "misconfigured", reason: misconfigured[p] }];
            // Settings broken elsewhere: nothing is served, and the provider itself is not in question.
            if (!state) return [p, { state: "closed" }];
            const circuit = state.breaker.state(p);
            const answeredSince = (state.answeredAt.get(p) ?? -Infinity) > probes.at;
            const probe = probes.providers[p];
            const known = { circuit, ...(probe ? { probe } : {}), slots: state.limits.snapshot(p) };
            const probeRefused = !answeredSince && refusesOurKey(probe?.status) ? probe!.status : undefined;
            const refused = state.refusedKeys.get(p) ?? probeRefused;
            if (refused !== undefined)
                return [p, { state: "misconfigured", reason: `the provider refused our key (status ${refused})`, ...known }];
            if (probe && probe.state !== "ok" && !answeredSince) return [p, { state: "unreachable", reason: probe.error!, ...known }];
            return [p, { state: circuit, ...known }];
        }),
    );
    const canServe = Object.values(providers).some((p) => p.state === "closed" || p.state === "half-open");
    if (order.length > 0 && !canServe) problems.push("no provider can serve: each is misconfigured, unreachable or its circuit is open");
    const failing = Object.entries(probes.dependencies).filter(([, d]) => d.state !== "ok");
    for (const [name, d] of failing) problems.push(`${name}: ${d.error}`);
    const ok = problems.length === 0;
    return json(
        {
            status: ok ? "ok" : "degraded",
            version: env.VERSION,
            environment: env.ENVIRONMENT,
            checkedAt: new Date(probes.at).toISOString(),
            dependencies: probes.dependencies,
            providers,
            problems,
        },
        ok ? 200 : 503,
        { "cache-control": "no-store" },
    );
}

/** The limiter as an attempt of its own: its failures are counted beside the providers' (GatewayProviderFailing). */
export const RATE_LIMITER_ATTEMPT = "rate-limiter";

/** The key's limits in its Durable Object's terms: the stack's request rate unless the key sets its own. */
function limitsOf(settings: Settings, client: ClientRecord): TakeRequest {
    const { maxRequests, windowMs, burst } = settings.rateLimit;
    return {
        maxRequests,
        windowMs,
        burst,
        ...client.rateLimit,
        ...(client.tokensPerMinute !== undefined ? { tokensPerMinute: client.tokensPerMinute } : {}),
        ...(client.monthlyBudget !== undefined ? { monthlyBudget: client.monthlyBudget } : {}),
    };
}

/** A call to the client's Durable Object: bounded by edge.rateLimit.timeoutMs, its status checked. */
function limiterCall<T>(env: Env, settings: Settings, client: ClientRecord, path: "take" | "spend", body: unknown): Promise<T> {
    const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`client:${client.client}`));
    return withTimeout(
        (async () => {
            const response = await stub.fetch(`https://rate-limiter/${path}`, { method: "POST", body: JSON.stringify(body) });
            if (!response.ok) throw new Error(`the rate limiter answered ${response.status}`);
            return (await response.json()) as T;
        })(),
        settings.rateLimit.timeoutMs,
        "the rate limiter",
    );
}

/**
 * Answers' spend not yet sent to their client's Durable Object, per client, in this isolate.
 * It rides on the client's next `take` (one call, where a busy client would make two), or is
 * sent on its own after SPEND_FLUSH_MS when no request comes: a limit is at most that late.
 */
const pendingSpend = new Map<string, SpendRequest>();
const SPEND_FLUSH_MS = 500;

function addSpend(client: ClientRecord, tokens: number, usd: number): void {
    const pending = pendingSpend.get(client.client) ?? { tokens: 0, usd: 0 };
    pendingSpend.set(client.client, {
        tokens: pending.tokens + tokens,
        usd: pending.usd + usd,
        ...(client.tokensPerMinute !== undefined ? { tokensPerMinute: client.tokensPerMinute } : {}),
    });
}

function takeSpend(client: ClientRecord): SpendRequest | undefined {
    const spend = pendingSpend.get(client.client);
    pendingSpend.delete(client.client);
    return spend;
}

/** Sends the client's pending spend if no take carried it within SPEND_FLUSH_MS. */
async function flushSpendLater(env: Env, settings: Settings, client: ClientRecord): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, SPEND_FLUSH_MS));
    const spend = takeSpend(client);
    if (spend)
        await limiterCall(env, settings, client, "spend", spend).catch((error: unknown) => {
            console.error("the rate limiter did not take the answers' spend; it goes with the client's next request", error);
            addSpend(client, spend.tokens, spend.usd);
        });
}

async function takeToken(env: Env, settings: Settings, client: ClientRecord): Promise<TakeResult> {
    const spend = takeSpend(client);
    const body: TakeRequest = { ...limitsOf(settings, client), ...(spend ? { spend } : {}) };
    let result: Partial<TakeResult>;
    try {
        result = await limiterCall<Partial<TakeResult>>(env, settings, client, "take", body);
    } catch (error) {
        // Kept for the next call. One that timed out after the object took it is counted twice: the safe side of a limit.
        if (spend) addSpend(client, spend.tokens, spend.usd);
        throw error;
    }
    if (typeof result.allowed !== "boolean") throw new Error("the rate limiter answered without a decision");
    return result as TakeResult;
}

function withRetryAfter(seconds: number | undefined): Record<string, string> {
    return seconds ? { "retry-after": String(seconds) } : {};
}

/** The refusal for a limit the client's key reached, in OpenAI's terms. */
function limitRefusal(client: ClientRecord, token: TakeResult): Response {
    const retryAfter = withRetryAfter(Math.ceil(token.retryAfterMs / 1000));
    if (token.limit === "budget") {
        const budget = [
            client.monthlyBudget?.tokens !== undefined ? `${client.monthlyBudget.tokens} tokens` : "",
            client.monthlyBudget?.usd !== undefined ? `$${client.monthlyBudget.usd}` : "",
        ]
            .filter(Boolean)
            .join(" or ");
        // x-should-retry: false tells OpenAI's clients not to retry what only a new month or a new budget changes.
        return errorResponse(
            {
                status: 429,
                type: "insufficient_quota",
                code: "insufficient_quota",
                message: `client ${client.client} has spent its monthly budget of ${budget}; it resets at ${token.resetsAt}`,
            },
            { ...retryAfter, "x-should-retry": "false" },
        );
    }
    const what = token.limit === "tokens" ? `token rate limit (${client.tokensPerMinute} tokens per minute)` : "rate limit";
    return errorResponse(
        { status: 429, type: "rate_limit_error", code: "rate_limit_exceeded", message: `${what} reached for client ${client.client}` },
        retryAfter,
    );
}

/** The model a provider serves: its configured one (`<prefix>_MODEL`), which prices its answers. */
const servedModel = (settings: Settings, provider: string): string => settings.providers.endpoints[provider]?.model ?? "unknown";

/**
 * The providers the key may be served by, or why none (a client sees it); undefined when the
 * key names no models. A client naming a model (not "auto") must name one of the key's.
 */
function allowedProviders(client: ClientRecord, settings: Settings, asked: string): Set<string> | string | undefined {
    const models = client.models;
    if (!models) return undefined;
    if (asked !== "auto" && !models.includes(asked))
        return `this key may not use model ${asked}; it may use ${models.join(", ")} (or "auto")`;
    const allowed = settings.providers.order.filter((p) => models.includes(servedModel(settings, p)));
    if (allowed.length === 0)
        return `this key may use ${models.join(", ")}, and the gateway serves none of them now (it serves ${settings.providers.order.map((p) => servedModel(settings, p)).join(", ")})`;
    return new Set(allowed);
}

/** A chat request's answer and what its data point says of it. */
interface ChatAnswer {
    response: Response;
    cache?: RequestSummary["cache"];
    outcome?: ChatOutcome;
    sharedWaitMs?: number;
}

/** What a request met on its way, whichever answer it ends with: for its data points, its log line and its spend. */
interface Met {
    requestId: string;
    /** The Worker version answering, for every data point it writes. */
    version: string;
    client?: ClientRecord;
    model?: string;
    settings?: Settings;
    /** The rate limiter's failed call, counted as an attempt of its own. */
    limiterFailure?: { provider: string; outcome: "failed"; ms: number };
}

/** Whatever broke, the client gets JSON and no internals; the logs get the error. */
function internalError(error: unknown): Response {
    console.error("gateway error", error);
    return errorResponse({ status: 500, type: "server_error", code: "internal_error", message: "internal error" });
}

/** The request's attempts as its data points and log line name them: the limiter's failed call first. */
const attemptsOf = (met: Met, outcome: ChatOutcome | undefined) => [
    ...(met.limiterFailure ? [met.limiterFailure] : []),
    ...(outcome?.attempts ?? []),
];

/** What an answer spent, from the provider's usage, priced by the configured model the provider serves. */
function usageOf(met: Met, provider: string, usage: Usage | undefined): AnswerUsage | undefined {
    if (!met.client || !met.settings || !usage) return undefined;
    const model = servedModel(met.settings, provider);
    const [promptTokens, completionTokens] = [usage.prompt_tokens ?? 0, usage.completion_tokens ?? 0];
    return {
        version: met.version,
        client: met.client.client,
        provider,
        model,
        promptTokens,
        completionTokens,
        costUsd: answerCost(model, promptTokens, completionTokens),
    };
}

/**
 * Once the answer's usage is known (now, or when its stream ends): its usage data point, the
 * request's one log line, and the debit of the key's token and budget limits.
 */
async function settle(env: Env, met: Met, answer: ChatAnswer, latencyMs: number, started: number): Promise<void> {
    const { outcome, response, cache = "NONE" } = answer;
    const served = outcome?.ok ? outcome : undefined;
    // A shared answer was another request's, its spend counted there.
    const counted =
        served && cache !== "SHARED"
            ? "stream" in served
                ? await served.usage
                : { usage: served.reply.usage, estimated: false }
            : undefined;
    const usage = served && counted ? usageOf(met, served.provider, counted.usage) : undefined;
    if (usage) recordUsage(env.ANALYTICS, usage);
    console.log(
        JSON.stringify({
            message: "chat request",
            requestId: met.requestId,
            client: met.client?.client ?? null,
            model: met.model ?? null,
            servedModel: served && met.settings ? servedModel(met.settings, served.provider) : null,
            provider: served?.provider ?? null,
            status: response.status,
            latencyMs,
            ...(served && "stream" in served ? { streamMs: Date.now() - started } : {}),
            cache,
            promptTokens: usage?.promptTokens ?? 0,
            completionTokens: usage?.completionTokens ?? 0,
            costUsd: usage?.costUsd ?? 0,
            ...(counted?.estimated ? { usageEstimated: true } : {}),
            attempts: attemptsOf(met, outcome).map((a) => `${a.provider}:${a.outcome}`),
        }),
    );
    const { client, settings } = met;
    if (usage && client && settings && (client.tokensPerMinute !== undefined || client.monthlyBudget !== undefined)) {
        addSpend(client, usage.promptTokens + usage.completionTokens, usage.costUsd ?? 0);
        await flushSpendLater(env, settings, client);
    }
}

/**
 * Every answer on the chat endpoint is one data point (plus one per provider tried): refusals,
 * the misconfigured 503 and an uncaught error's 500 included, so the error alerts see them all.
 * What it spent is counted when known, after the response for a stream (ctx.waitUntil).
 */
async function chatRoute(request: Request, env: Env, adapters: Adapters, ctx: ExecutionContext, requestId: string): Promise<Response> {
    const started = Date.now();
    let answer: ChatAnswer;
    const met: Met = { requestId, version: versionOf(env) };
    try {
        answer = await answerChat(request, env, adapters, met, ctx);
    } catch (error) {
        answer = { response: internalError(error) };
    }
    const { response, cache = "NONE", outcome, sharedWaitMs } = answer;
    const latencyMs = Date.now() - started;
    record(env.ANALYTICS, {
        version: met.version,
        status: response.status,
        cache,
        ...(outcome?.ok ? { provider: outcome.provider } : {}),
        durationMs: latencyMs,
        attempts: attemptsOf(met, outcome),
        ...(sharedWaitMs === undefined ? {} : { sharedWaitMs }),
    });
    ctx.waitUntil(settle(env, met, answer, latencyMs, started).catch((error: unknown) => console.error("usage accounting failed", error)));
    return response;
}

async function answerChat(request: Request, env: Env, adapters: Adapters, met: Met, ctx: ExecutionContext): Promise<ChatAnswer> {
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
    met.settings = settings;
    const client = await authenticate(request, env.STATE);
    if (typeof client === "string")
        return {
            response: errorResponse(
                { status: 401, type: "invalid_request_error", code: "invalid_api_key", message: client },
                { "www-authenticate": "Bearer" },
            ),
        };
    met.client = client;
    // Bad input is refused before a rate-limit token is spent.
    const body = await readJsonBody(request);
    if (!body.ok)
        return { response: errorResponse(invalid(body.error, null, body.status === 413 ? "request_too_large" : null), {}, body.status) };
    const parsed = parseChatRequest(body.body);
    if ("status" in parsed) return { response: errorResponse(parsed) };
    met.model = parsed.model;
    const allowed = allowedProviders(client, settings, parsed.model);
    if (typeof allowed === "string")
        return {
            response: errorResponse({
                status: 403,
                type: "invalid_request_error",
                code: "model_not_allowed",
                message: allowed,
                param: "model",
            }),
        };

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
    if (!token.allowed) return { response: limitRefusal(client, token) };

    if (caches?.kv !== env.CACHE) caches = { kv: env.CACHE, cache: new ResponseCache(env.CACHE, settings.cache) };
    const { cache } = caches;
    const useCache = cacheable(parsed);
    const order = allowed ? settings.providers.order.filter((p) => allowed.has(p)) : settings.providers.order;
    const key = useCache
        ? await cacheKey(client.client, parsed, { asked: parsed.model, served: order.map((p) => servedModel(settings, p)) })
        : undefined;
    if (key) {
        const cached = await cache.get(key).catch(() => null);
        if (cached !== null)
            return { response: new Response(cached, { headers: { "content-type": "application/json", "x-cache": "HIT" } }), cache: "HIT" };
    }
    const waitStarted = Date.now();
    const { result, shared } = key
        ? cache.coalesce(key, () => chat(adapters, settings, parsed, allowed))
        : { result: chat(adapters, settings, parsed, allowed), shared: false };
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
    // The answer is the client's either way; a cache that cannot take it costs a miss later, not this
    // request (this isolate remembers it at once; KV's copy is written after the response).
    if (key && !shared) ctx.waitUntil(cache.put(key, text).catch((error: unknown) => console.warn("cache write failed", error)));
    return answer(
        new Response(text, { headers: { "content-type": "application/json", "x-cache": status, "x-provider": outcome.provider } }),
    );
}

/** Everything else goes to the origin, on the origin's host whatever the path looks like, with the request's id. */
function toOrigin(request: Request, url: URL, env: Env, requestId: string): Promise<Response> {
    const target = new URL(env.ORIGIN_URL);
    // Set, never resolved against: a path such as //other-host/x must not become another host.
    target.pathname = url.pathname;
    target.search = url.search;
    const forwarded = new Request(target, request);
    forwarded.headers.set(REQUEST_ID_HEADER, requestId);
    return fetch(forwarded);
}

const REQUEST_ID_HEADER = "x-request-id";

/** The Cloudflare version id serving this invocation ("unknown" where no version metadata is bound). */
const versionOf = (env: Env): string => env.CF_VERSION_METADATA?.id ?? "unknown";
/** A caller's id is kept when it is short and plain (no header or log injection); otherwise the gateway makes one. */
const CALLER_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function requestIdOf(request: Request): string {
    const given = request.headers.get(REQUEST_ID_HEADER);
    return given !== null && CALLER_REQUEST_ID.test(given) ? given : crypto.randomUUID();
}

async function route(request: Request, env: Env, adapters: Adapters, ctx: ExecutionContext, requestId: string): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/health" && request.method === "HEAD") {
        const response = await health(env, adapters);
        return new Response(null, { status: response.status, headers: response.headers });
    }
    if (url.pathname === "/health" && request.method === "GET") return health(env, adapters);
    if (url.pathname === "/v1/chat/completions") return chatRoute(request, env, adapters, ctx, requestId);
    return toOrigin(request, url, env, requestId);
}

export function createGateway(adapters: Adapters): ExportedHandler<Env> {
    return {
        async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
            const requestId = requestIdOf(request);
            let response: Response;
            try {
                response = await route(request, env, adapters, ctx, requestId);
            } catch (error) {
                response = internalError(error);
            }
            // A WebSocket upgrade passes as the origin sent it; every other answer names its request.
            if (response.webSocket) return response;
            const named = new Response(response.body, response);
            named.headers.set(REQUEST_ID_HEADER, requestId);
            return named;
        },

        /** Each run writes its data point, so a failed or skipped export alerts (GatewayKvExportFailed). */
        async scheduled(controller: ScheduledController, env: Env): Promise<void> {
            const started = Date.now();
            const run = (outcome: KvExportRun["outcome"], exported = 0, deleted = 0) =>
                recordKvExport(env.ANALYTICS, { version: versionOf(env), outcome, ms: Date.now() - started, exported, deleted });
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
