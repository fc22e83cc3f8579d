/**
 * The provider manager: sends a chat request to the configured AI providers in order and
 * answers in OpenAI's format whichever one answered.
 *
 * A provider is skipped while its circuit is open or its slots are taken (concurrency.ts);
 * a 5xx, 429, timeout, refused key, empty or malformed answer fails over to the next; one
 * deadline bounds the whole request. A stream is committed to the client only once a provider
 * has sent real content, so a stream that breaks before then fails over like any other call.
 */
import { EventSourceParserStream } from "eventsource-parser/stream";
import type { EventSourceMessage } from "eventsource-parser";
import type { AttemptOutcome } from "./analytics";
import { CircuitBreaker } from "./circuitBreaker";
import { ConcurrencyLimits } from "./concurrency";
import { messageText, newCompletionId, sseData, SSE_DONE, type ApiError, type ChatReply, type ChatRequest, type Chunk, type Usage } from "./openaiApi";
import type { Env, ProviderName, Settings } from "./settings";

export interface Attempt {
    provider: ProviderName;
    reason: string;
    outcome: AttemptOutcome;
    /** Time spent calling the provider, 0 when it was skipped. */
    ms: number;
}

export type ChatOutcome =
    | { ok: true; provider: ProviderName; reply: ChatReply; attempts: Attempt[] }
    | { ok: true; provider: ProviderName; stream: ReadableStream<Uint8Array>; attempts: Attempt[] }
    | { ok: false; error: ApiError; retryAfterSeconds?: number; attempts: Attempt[] };

/** Seconds a client should wait before retrying when every provider failed. */
const ALL_FAILED_RETRY_AFTER_SECONDS = 5;
/** Anthropic requires max_tokens; OpenAI's default when a client sets none. */
const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;

/** The isolate's circuits and slots, shared by its requests. */
interface ProviderState {
    breaker: CircuitBreaker;
    limits: ConcurrencyLimits;
    /** Providers whose last answer refused our key (401/403), and that status: /health reports them misconfigured. */
    refusedKeys: Map<ProviderName, number>;
}
let shared: ProviderState | undefined;
export function providerState(settings: Settings): ProviderState {
    shared ??= { breaker: new CircuitBreaker(settings.providers.circuitFailures, settings.providers.circuitOpenMs), limits: new ConcurrencyLimits(settings.concurrency.min, settings.concurrency.max), refusedKeys: new Map() };
    return shared;
}

function upstreamRequest(provider: ProviderName, env: Env, chat: ChatRequest): Request {
    if (provider === "openai") {
        const body = { ...chat.body, model: env.OPENAI_MODEL, stream: chat.stream, ...(chat.stream ? { stream_options: { include_usage: true } } : {}) };
        return new Request(env.OPENAI_URL, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${env.OPENAI_API_KEY}` }, body: JSON.stringify(body) });
    }
    const system = chat.messages.filter((m) => m.role === "system" || m.role === "developer").map((m) => messageText(m.content)).join("\n");
    const body = {
        model: env.ANTHROPIC_MODEL,
        max_tokens: chat.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
        ...(system ? { system } : {}),
        messages: chat.messages.filter((m) => m.role === "user" || m.role === "assistant").map((m) => ({ role: m.role, content: messageText(m.content) })),
        // Anthropic's temperature runs 0..1 where OpenAI's runs 0..2; 0 stays 0.
        ...(chat.temperature !== undefined ? { temperature: Math.min(1, chat.temperature) } : {}),
        ...(chat.topP !== undefined ? { top_p: chat.topP } : {}),
        ...(chat.stop ? { stop_sequences: chat.stop } : {}),
        stream: chat.stream,
    };
    return new Request(env.ANTHROPIC_URL, { method: "POST", headers: { "content-type": "application/json", "x-api-key": String(env.ANTHROPIC_API_KEY), "anthropic-version": "2023-06-01" }, body: JSON.stringify(body) });
}

const ANTHROPIC_FINISH: Record<string, string> = { end_turn: "stop", stop_sequence: "stop", max_tokens: "length", tool_use: "tool_calls", refusal: "content_filter" };

/** A whole (non-streamed) answer, or why it is not one. */
function replyOf(provider: ProviderName, body: unknown): ChatReply | string {
    if (body === null || typeof body !== "object") return "answered 200 with a body that is not JSON";
    if (provider === "openai") {
        const b = body as { model?: string; usage?: Usage; choices?: Array<{ message?: { content?: string | null; tool_calls?: unknown[]; refusal?: string | null }; finish_reason?: string }> };
        const choice = b.choices?.[0];
        const content = choice?.message?.content;
        const toolCalls = choice?.message?.tool_calls;
        if ((typeof content !== "string" || content.trim() === "") && !(Array.isArray(toolCalls) && toolCalls.length > 0)) return "answered 200 with no content";
        return { provider, model: b.model ?? "unknown", message: { role: "assistant", content: typeof content === "string" ? content : null, ...(toolCalls ? { tool_calls: toolCalls } : {}) }, finishReason: choice?.finish_reason ?? "stop", ...(b.usage ? { usage: b.usage } : {}) };
    }
    const b = body as { model?: string; stop_reason?: string; usage?: { input_tokens?: number; output_tokens?: number }; content?: Array<{ type?: string; text?: string }> };
    const content = Array.isArray(b.content) ? b.content.map((c) => (c.type === "text" ? (c.text ?? "") : "")).join("") : "";
    if (content.trim() === "") return "answered 200 with no content";
    const usage = b.usage ? { prompt_tokens: b.usage.input_tokens ?? 0, completion_tokens: b.usage.output_tokens ?? 0, total_tokens: (b.usage.input_tokens ?? 0) + (b.usage.output_tokens ?? 0) } : undefined;
    return { provider, model: b.model ?? "unknown", message: { role: "assistant", content }, finishReason: ANTHROPIC_FINISH[b.stop_reason ?? ""] ?? "stop", ...(usage ? { usage } : {}) };
}

/** Turns one upstream stream event into OpenAI chunks (`done` at the end), or says why the stream is broken. */
type Translate = (event: EventSourceMessage) => { chunks: Chunk[]; done?: true } | string;

function translator(provider: ProviderName, id: string, created: number, includeUsage: boolean): Translate {
    const chunk = (model: string, delta: Record<string, unknown>, finish: string | null = null): Chunk => ({ id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
    if (provider === "openai") {
        return (event) => {
            if (event.data === SSE_DONE) return { chunks: [], done: true };
            let parsed: Chunk & { error?: { message?: string } };
            try {
                parsed = JSON.parse(event.data);
            } catch {
                return "sent a stream event that is not JSON";
            }
            if (parsed.error) return "sent an error in its stream";
            if (!Array.isArray(parsed.choices)) return "sent a stream event that is not a chunk";
            // The usage chunk (no choices) goes to clients that asked for it.
            if (parsed.choices.length === 0 && !includeUsage) return { chunks: [] };
            return { chunks: [{ ...parsed, id, created }] };
        };
    }
    let model = "unknown";
    const usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
    return (event) => {
        let data: { type?: string; message?: { model?: string; usage?: { input_tokens?: number } }; delta?: { type?: string; text?: string; stop_reason?: string }; usage?: { output_tokens?: number } };
        try {
            data = JSON.parse(event.data);
        } catch {
            return "sent a stream event that is not JSON";
        }
        switch (data.type) {
            case "message_start":
                model = data.message?.model ?? model;
                usage.prompt_tokens = data.message?.usage?.input_tokens ?? 0;
                return { chunks: [chunk(model, { role: "assistant", content: "" })] };
            case "content_block_delta":
                return { chunks: data.delta?.type === "text_delta" && data.delta.text ? [chunk(model, { content: data.delta.text })] : [] };
            case "message_delta":
                usage.completion_tokens = data.usage?.output_tokens ?? usage.completion_tokens;
                usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
                return { chunks: [chunk(model, {}, ANTHROPIC_FINISH[data.delta?.stop_reason ?? ""] ?? "stop")] };
            case "message_stop":
                return { chunks: includeUsage ? [{ ...chunk(model, {}), choices: [], usage }] : [], done: true };
            case "error":
                return "sent an error in its stream";
            default:
                return { chunks: [] }; // ping, content_block_start/stop
        }
    };
}

const hasContent = (c: Chunk) => c.choices.some((choice) => (typeof choice.delta["content"] === "string" && choice.delta["content"] !== "") || Array.isArray(choice.delta["tool_calls"]));

/**
 * Reads the upstream stream until it has sent content (or fails, which the caller turns into a
 * failover), then hands the client an SSE stream of OpenAI chunks that replays what was read
 * and continues, each read bounded by `idleMs`.
 */
async function commitStream(provider: ProviderName, response: Response, chat: ChatRequest, idleMs: number): Promise<ReadableStream<Uint8Array> | string> {
    const id = newCompletionId();
    const translate = translator(provider, id, Math.floor(Date.now() / 1000), chat.includeUsage);
    const events = response.body!.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
    const buffered: Chunk[] = [];
    for (;;) {
        const next = await events.read();
        if (next.done) return "ended its stream before any content";
        const translated = translate(next.value);
        if (typeof translated === "string") {
            await events.cancel();
            return translated;
        }
        if (translated.done) return "ended its stream before any content";
        buffered.push(...translated.chunks);
        if (translated.chunks.some(hasContent)) break;
        if (translated.chunks.some((c) => c.choices.some((choice) => choice.finish_reason !== null))) return "finished its stream with no content";
    }
    const finish = (controller: ReadableStreamDefaultController<Uint8Array>, error?: string) => {
        if (error) controller.enqueue(sseData({ error: { message: `the provider's stream broke: ${error}`, type: "server_error", param: null, code: null } }));
        else controller.enqueue(sseData(SSE_DONE));
        controller.close();
    };
    return new ReadableStream<Uint8Array>({
        start(controller) {
            for (const c of buffered) controller.enqueue(sseData(c));
        },
        async pull(controller) {
            // Each pull enqueues at least one chunk or ends the stream (every finish returns): a
            // pull that enqueues nothing would not be called again.
            for (;;) {
                let timer: ReturnType<typeof setTimeout> | null = null;
                const idle = new Promise<"idle">((resolve) => (timer = setTimeout(() => resolve("idle"), idleMs)));
                try {
                    const next = await Promise.race([events.read(), idle]);
                    if (next === "idle") {
                        await events.cancel().catch(() => undefined);
                        return finish(controller, `no data for ${idleMs} ms`);
                    }
                    if (next.done) return finish(controller, "it ended without its end marker");
                    const translated = translate(next.value);
                    if (typeof translated === "string") return finish(controller, translated);
                    for (const c of translated.chunks) controller.enqueue(sseData(c));
                    if (translated.done) {
                        await events.cancel().catch(() => undefined);
                        return finish(controller);
                    }
                    if (translated.chunks.length > 0) return;
                } catch (error) {
                    return finish(controller, (error as Error).message);
                } finally {
                    if (timer !== null) clearTimeout(timer);
                }
            }
        },
        cancel() {
            return events.cancel();
        },
    });
}

/** Retry-After an upstream gave, in seconds (delay-seconds form). */
function retryAfterOf(response: Response): number | undefined {
    const value = Number(response.headers.get("retry-after"));
    return Number.isFinite(value) && value > 0 ? Math.ceil(value) : undefined;
}

type CallResult =
    | { kind: "answer"; outcome: { provider: ProviderName; reply: ChatReply } | { provider: ProviderName; stream: ReadableStream<Uint8Array> } }
    | { kind: "client-error"; error: ApiError }
    | { kind: "failed"; reason: string; rateLimitedFor?: number; keyRefused?: number };

/** One call to one provider, within `timeoutMs` until it answers (or, streaming, sends content). */
async function call(provider: ProviderName, env: Env, chat: ChatRequest, timeoutMs: number, idleMs: number): Promise<CallResult> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
        const response = await fetch(upstreamRequest(provider, env, chat), { signal: controller.signal });
        if (response.status >= 500 || response.status === 429) {
            await response.body?.cancel();
            return { kind: "failed", reason: `status ${response.status}`, ...(response.status === 429 ? { rateLimitedFor: retryAfterOf(response) ?? ALL_FAILED_RETRY_AFTER_SECONDS } : {}) };
        }
        // 401/403 means our key for this provider is wrong: the client's request is fine, so try
        // the next provider, and never show the upstream's answer about our credentials.
        if (response.status === 401 || response.status === 403) {
            await response.body?.cancel();
            return { kind: "failed", reason: `our key was refused (status ${response.status})`, keyRefused: response.status };
        }
        if (!response.ok) {
            // Another 4xx is about the request itself; another provider would refuse it too.
            const body = (await response.json().catch(() => null)) as { error?: { message?: unknown } } | null;
            const message = typeof body?.error?.message === "string" ? body.error.message : `the provider refused the request (status ${response.status})`;
            return { kind: "client-error", error: { status: response.status === 404 || response.status === 413 || response.status === 422 ? response.status : 400, type: "invalid_request_error", message: `${provider}: ${message}`, code: "provider_refused" } };
        }
        if (chat.stream) {
            const stream = await commitStream(provider, response, chat, idleMs);
            return typeof stream === "string" ? { kind: "failed", reason: stream } : { kind: "answer", outcome: { provider, stream } };
        }
        // A 200 without an answer is a failure like any other: fail over, and never cache it.
        const reply = replyOf(provider, await response.json().catch(() => null));
        return typeof reply === "string" ? { kind: "failed", reason: reply } : { kind: "answer", outcome: { provider, reply } };
    } catch (error) {
        return { kind: "failed", reason: controller.signal.aborted ? `timeout after ${timeoutMs} ms` : `network error: ${(error as Error).message}` };
    } finally {
        clearTimeout(timer);
    }
}

export async function chat(env: Env, settings: Settings, request: ChatRequest): Promise<ChatOutcome> {
    const { breaker, limits, refusedKeys } = providerState(settings);
    const { order, deadlineMs, timeoutMs } = settings.providers;
    const deadline = Date.now() + deadlineMs;
    const attempts: Attempt[] = [];
    const done = new Set<ProviderName>();
    const rateLimited: number[] = [];
    let called = 0;
    for (;;) {
        let full = false;
        for (const provider of order) {
            if (done.has(provider)) continue;
            if (request.openaiOnly && provider !== "openai") {
                done.add(provider);
                attempts.push({ provider, reason: "skipped: the request uses tools or options only OpenAI-shaped providers take", outcome: "skipped", ms: 0 });
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
            const remaining = deadline - Date.now();
            if (remaining <= 0) {
                breaker.release(provider);
                limits.release(provider, "neutral");
                attempts.push({ provider, reason: `not tried: the request's ${deadlineMs} ms deadline passed`, outcome: "skipped", ms: 0 });
                continue;
            }
            called++;
            const started = Date.now();
            const result = await call(provider, env, request, Math.min(timeoutMs, remaining), timeoutMs);
            const ms = Date.now() - started;
            if (result.kind === "failed") {
                breaker.failure(provider);
                limits.release(provider, "failure");
                attempts.push({ provider, reason: result.reason, outcome: "failed", ms });
                if (result.rateLimitedFor !== undefined) rateLimited.push(result.rateLimitedFor);
                if (result.keyRefused !== undefined) refusedKeys.set(provider, result.keyRefused);
                continue;
            }
            refusedKeys.delete(provider);
            breaker.success(provider);
            limits.release(provider, "success");
            attempts.push({ provider, reason: "answered", outcome: "ok", ms });
            if (result.kind === "client-error") return { ok: false, error: result.error, attempts };
            return { ok: true, ...result.outcome, attempts };
        }
        if (!full) break;
        // Every provider left is busy: wait for a slot rather than refuse for load.
        const remaining = deadline - Date.now();
        if (remaining <= 0 || !(await limits.waitForSlot(remaining))) {
            for (const provider of order) if (!done.has(provider)) attempts.push({ provider, reason: `not tried: its calls were all in flight until the ${deadlineMs} ms deadline`, outcome: "busy", ms: 0 });
            break;
        }
    }
    const summary = attempts.map((a) => `${a.provider}: ${a.reason}`).join("; ");
    // Every provider called was rate limiting: 429 with the soonest Retry-After they gave.
    if (called > 0 && rateLimited.length === called) {
        return { ok: false, error: { status: 429, type: "rate_limit_error", code: "providers_rate_limited", message: `every provider is rate limiting (${summary})` }, retryAfterSeconds: Math.min(...rateLimited), attempts };
    }
    const openFor = Math.ceil(breaker.retryAfterMs(order) / 1000);
    return { ok: false, error: { status: 503, type: "server_error", code: "no_provider_available", message: `no provider could answer (${summary})` }, retryAfterSeconds: Math.max(openFor, ALL_FAILED_RETRY_AFTER_SECONDS), attempts };
}
