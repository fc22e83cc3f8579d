/**
 * The failover loop: sends a chat request to the configured AI providers in order and
 * answers in OpenAI's format whichever one answered.
 *
 * A provider is skipped while its circuit is open, its slots are taken (concurrency.ts) or its
 * model is not one the client's key may use; a 5xx or 429 is retried on the same provider after
 * a backoff where the deadline leaves room (providers.retries), then it, a timeout, a refused
 * key, an empty or malformed answer fails over to the next; one deadline bounds the whole
 * request. It knows providers only through their adapters.
 */
import type { AttemptOutcome } from "../analytics";
import { CircuitBreaker } from "../circuitBreaker";
import { ConcurrencyLimits } from "../concurrency";
import { messageText, type ApiError, type ChatReply, type ChatRequest } from "../openaiApi";
import type { Settings } from "../settings";
import { refusesOurKey, type Endpoint, type ProviderAdapter } from "./adapter";
import type { Adapters } from "./registry";
import { commitStream, type CommittedStream } from "./streams";

interface Attempt {
    provider: string;
    reason: string;
    outcome: AttemptOutcome;
    /** Time spent calling the provider, 0 when it was skipped. */
    ms: number;
}

export type ChatOutcome =
    | { ok: true; provider: string; reply: ChatReply; attempts: Attempt[] }
    | { ok: true; provider: string; stream: ReadableStream<Uint8Array>; usage: CommittedStream["usage"]; attempts: Attempt[] }
    | { ok: false; error: ApiError; retryAfterSeconds?: number; attempts: Attempt[] };

/** Seconds a client should wait before retrying when every provider failed. */
const ALL_FAILED_RETRY_AFTER_SECONDS = 5;

/** The isolate's circuits and slots, shared by its requests. */
interface ProviderState {
    breaker: CircuitBreaker;
    limits: ConcurrencyLimits;
    /** Providers whose last answer refused our key (401/403), and that status: /health reports them misconfigured. */
    refusedKeys: Map<string, number>;
    /** When each provider last answered a chat request: fresher than a /health probe taken before it. */
    answeredAt: Map<string, number>;
}
let shared: ProviderState | undefined;
export function providerState(settings: Settings): ProviderState {
    shared ??= {
        breaker: new CircuitBreaker(settings.providers.circuitFailures, settings.providers.circuitOpenMs),
        limits: new ConcurrencyLimits(settings.concurrency.min, settings.concurrency.max),
        refusedKeys: new Map(),
        answeredAt: new Map(),
    };
    return shared;
}

/** Retry-After an upstream gave, in seconds (delay-seconds form). */
function retryAfterOf(response: Response): number | undefined {
    const value = Number(response.headers.get("retry-after"));
    return Number.isFinite(value) && value > 0 ? Math.ceil(value) : undefined;
}

type CallResult =
    | {
          kind: "answer";
          outcome:
              | { provider: string; reply: ChatReply }
              | { provider: string; stream: ReadableStream<Uint8Array>; usage: CommittedStream["usage"] };
      }
    | { kind: "client-error"; error: ApiError }
    /** `retryable`: a 5xx or 429, which the same provider may answer after a backoff. */
    | { kind: "failed"; reason: string; retryable?: true; rateLimitedFor?: number; keyRefused?: number };

/** One call to one provider, within `timeoutMs` until it answers (or, streaming, sends content). */
async function call(
    provider: string,
    adapter: ProviderAdapter,
    endpoint: Endpoint,
    chat: ChatRequest,
    timeoutMs: number,
    idleMs: number,
): Promise<CallResult> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
        const response = await fetch(adapter.request(chat, endpoint), { signal: controller.signal });
        if (response.status >= 500 || response.status === 429) {
            await response.body?.cancel();
            return {
                kind: "failed",
                reason: `status ${response.status}`,
                retryable: true,
                ...(response.status === 429 ? { rateLimitedFor: retryAfterOf(response) ?? ALL_FAILED_RETRY_AFTER_SECONDS } : {}),
            };
        }
        // 401/403 means our key for this provider is wrong: the client's request is fine, so try
        // the next provider, and never show the upstream's answer about our credentials.
        if (refusesOurKey(response.status)) {
            await response.body?.cancel();
            return { kind: "failed", reason: `our key was refused (status ${response.status})`, keyRefused: response.status };
        }
        if (!response.ok) {
            // Another 4xx is about the request itself; another provider would refuse it too.
            const body = (await response.json().catch(() => null)) as { error?: { message?: unknown } } | null;
            const message =
                typeof body?.error?.message === "string"
                    ? body.error.message
                    : `the provider refused the request (status ${response.status})`;
            return {
                kind: "client-error",
                error: {
                    status: response.status === 404 || response.status === 413 || response.status === 422 ? response.status : 400,
                    type: "invalid_request_error",
                    message: `${provider}: ${message}`,
                    code: "provider_refused",
                },
            };
        }
        if (chat.stream) {
            const promptChars = chat.messages.reduce((n, m) => n + messageText(m.content).length, 0);
            const stream = await commitStream(adapter, response, chat.includeUsage, idleMs, promptChars);
            return typeof stream === "string" ? { kind: "failed", reason: stream } : { kind: "answer", outcome: { provider, ...stream } };
        }
        // A 200 without an answer is a failure like any other: fail over, and never cache it.
        const body: unknown = await response.json().catch(() => null);
        const reply = body !== null && typeof body === "object" ? adapter.reply(body) : "answered 200 with a body that is not JSON";
        return typeof reply === "string"
            ? { kind: "failed", reason: reply }
            : { kind: "answer", outcome: { provider, reply: { provider, ...reply } } };
    } catch (error) {
        return {
            kind: "failed",
            reason: controller.signal.aborted ? `timeout after ${timeoutMs} ms` : `network error: ${(error as Error).message}`,
        };
    } finally {
        clearTimeout(timer);
    }
}

type Failed = Extract<CallResult, { kind: "failed" }>;

/** The wait before retry number `retry` (from 0) of a failed call, or undefined when the request should fail over instead. */
export function retryDelay(
    failed: Failed,
    retry: number,
    policy: { retries: number; retryBackoffMs: number },
    remainingMs: number,
): number | undefined {
    if (!failed.retryable || retry >= policy.retries) return undefined;
    const delay = policy.retryBackoffMs * 2 ** retry;
    // A provider asking for a longer wait than ours is not asked again within this request.
    if (failed.rateLimitedFor !== undefined && failed.rateLimitedFor * 1000 > delay) return undefined;
    // Half the time left stays for the providers after this one.
    return delay <= remainingMs / 2 ? delay : undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `request` through the providers in order. `allowed`, when given, is the providers whose
 * model the client's key may use; the others are skipped.
 */
export async function chat(
    adapters: Adapters,
    settings: Settings,
    request: ChatRequest,
    allowed?: ReadonlySet<string>,
): Promise<ChatOutcome> {
    const { breaker, limits, refusedKeys, answeredAt } = providerState(settings);
    const { order, deadlineMs, timeoutMs } = settings.providers;
    const deadline = Date.now() + deadlineMs;
    const attempts: Attempt[] = [];
    const done = new Set<string>();
    const rateLimited: number[] = [];
    let called = 0;
    for (;;) {
        let full = false;
        for (const provider of order) {
            if (done.has(provider)) continue;
            const adapter = adapters[provider]!;
            if (allowed && !allowed.has(provider)) {
                done.add(provider);
                attempts.push({ provider, reason: "skipped: the client's key may not use its model", outcome: "skipped", ms: 0 });
                continue;
            }
            if (request.openaiOnly && !adapter.openaiShaped) {
                done.add(provider);
                attempts.push({
                    provider,
                    reason: "skipped: the request uses tools or options only OpenAI-shaped providers take",
                    outcome: "skipped",
                    ms: 0,
                });
                continue;
            }
            if (!breaker.tryAcquire(provider)) {
                done.add(provider);
                attempts.push({ provider, reason: "skipped: its circuit is open after repeated failures", outcome: "circuit_open", ms: 0 });
                continue;
            }
            if (!limits.tryAcquire(provider)) {
                breaker.release(provider);
                full = true;
                continue;
            }
            done.add(provider);
            if (deadline - Date.now() <= 0) {
                breaker.release(provider);
                limits.release(provider, "neutral");
                attempts.push({ provider, reason: `not tried: the request's ${deadlineMs} ms deadline passed`, outcome: "skipped", ms: 0 });
                continue;
            }
            called++;
            let result: CallResult;
            // Holding its circuit's probe and a slot on entry; each retry takes them again.
            for (let retry = 0; ; retry++) {
                const started = Date.now();
                result = await call(
                    provider,
                    adapter,
                    settings.providers.endpoints[provider]!,
                    request,
                    Math.min(timeoutMs, deadline - started),
                    timeoutMs,
                );
                const ms = Date.now() - started;
                if (result.kind !== "failed") {
                    refusedKeys.delete(provider);
                    answeredAt.set(provider, Date.now());
                    breaker.success(provider);
                    limits.release(provider, "success");
                    attempts.push({ provider, reason: "answered", outcome: "ok", ms });
                    break;
                }
                attempts.push({ provider, reason: result.reason, outcome: "failed", ms });
                if (result.keyRefused !== undefined) refusedKeys.set(provider, result.keyRefused);
                const delay = retryDelay(result, retry, settings.providers, deadline - Date.now());
                // One failure per provider per request, however often it was retried: a request's
                // retries alone must not open the circuit nor cut the provider's slots.
                if (delay === undefined) {
                    breaker.failure(provider);
                    limits.release(provider, "failure");
                    break;
                }
                breaker.release(provider);
                limits.release(provider, "neutral");
                await sleep(delay);
                // Another request's probe or failures took the circuit meanwhile: theirs count.
                if (!breaker.tryAcquire(provider)) break;
                if (!limits.tryAcquire(provider)) {
                    breaker.failure(provider);
                    break;
                }
            }
            if (result.kind === "failed") {
                if (result.rateLimitedFor !== undefined) rateLimited.push(result.rateLimitedFor);
                continue;
            }
            if (result.kind === "client-error") return { ok: false, error: result.error, attempts };
            return { ok: true, ...result.outcome, attempts };
        }
        if (!full) break;
        // Every provider left is busy: wait for a slot rather than refuse for load.
        const remaining = deadline - Date.now();
        if (remaining <= 0 || !(await limits.waitForSlot(remaining))) {
            for (const provider of order)
                if (!done.has(provider))
                    attempts.push({
                        provider,
                        reason: `not tried: its calls were all in flight until the ${deadlineMs} ms deadline`,
                        outcome: "busy",
                        ms: 0,
                    });
            break;
        }
    }
    const summary = attempts.map((a) => `${a.provider}: ${a.reason}`).join("; ");
    // Every provider called was rate limiting: 429 with the soonest Retry-After they gave.
    if (called > 0 && rateLimited.length === called) {
        return {
            ok: false,
            error: {
                status: 429,
                type: "rate_limit_error",
                code: "providers_rate_limited",
                message: `every provider is rate limiting (${summary})`,
            },
            retryAfterSeconds: Math.min(...rateLimited),
            attempts,
        };
    }
    const openFor = Math.ceil(breaker.retryAfterMs(order) / 1000);
    return {
        ok: false,
        error: { status: 503, type: "server_error", code: "no_provider_available", message: `no provider could answer (${summary})` },
        retryAfterSeconds: Math.max(openFor, ALL_FAILED_RETRY_AFTER_SECONDS),
        attempts,
    };
}
