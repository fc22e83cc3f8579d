/**
 * The provider manager: forwards a chat request to the configured AI providers in order,
 * failing over on a 5xx, a 429, a timeout or a refused key, skipping providers whose circuit is
 * open, within one deadline; 429 or 503 with Retry-After only when no provider could answer.
 */
import { CircuitBreaker } from "./circuitBreaker";
import { LIMITS } from "./limits";
import type { Env, ProviderName, Settings } from "./settings";

export interface ChatMessage {
    role: "system" | "user" | "assistant";
    content: string;
}

export interface ChatRequest {
    messages: ChatMessage[];
    maxTokens?: number;
}

export interface ChatReply {
    provider: ProviderName;
    content: string;
}

interface Attempt {
    provider: ProviderName;
    reason: string;
}

export type ChatOutcome = { ok: true; reply: ChatReply } | { ok: false; status: number; body: unknown; retryAfterSeconds?: number };

/** Seconds a client should wait before retrying when every provider failed. */
const ALL_FAILED_RETRY_AFTER_SECONDS = 5;

function upstreamRequest(provider: ProviderName, env: Env, chat: ChatRequest): Request {
    if (provider === "openai") {
        return new Request(env.OPENAI_URL, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${env.OPENAI_API_KEY}` },
            body: JSON.stringify({ model: env.OPENAI_MODEL, messages: chat.messages, max_tokens: chat.maxTokens }),
        });
    }
    const system = chat.messages.filter((m) => m.role === "system").map((m) => m.content).join("\n");
    return new Request(env.ANTHROPIC_URL, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": String(env.ANTHROPIC_API_KEY), "anthropic-version": "2023-06-01" },
        body: JSON.stringify({ model: env.ANTHROPIC_MODEL, max_tokens: chat.maxTokens ?? 1024, ...(system ? { system } : {}), messages: chat.messages.filter((m) => m.role !== "system") }),
    });
}

function contentOf(provider: ProviderName, body: unknown): string {
    const b = (body ?? {}) as { choices?: Array<{ message?: { content?: string | null } }>; content?: Array<{ text?: string }> };
    const content = provider === "openai" ? b.choices?.[0]?.message?.content : Array.isArray(b.content) ? b.content.map((c) => c.text ?? "").join("") : undefined;
    return typeof content === "string" ? content : "";
}

const RETRYABLE = (status: number) => status >= 500 || status === 429;

/** The isolate's breaker: providers that keep failing are skipped until a probe finds them well. */
let breaker: CircuitBreaker | undefined;
export function circuits(settings: Settings): CircuitBreaker {
    breaker ??= new CircuitBreaker(settings.providers.circuitFailures, settings.providers.circuitOpenMs);
    return breaker;
}

/** Retry-After an upstream gave, in seconds (delay-seconds form). */
function retryAfterOf(response: Response): number | undefined {
    const value = Number(response.headers.get("retry-after"));
    return Number.isFinite(value) && value > 0 ? Math.ceil(value) : undefined;
}

export async function chat(env: Env, settings: Settings, request: ChatRequest): Promise<ChatOutcome> {
    const attempts: Attempt[] = [];
    const breaker = circuits(settings);
    const deadline = Date.now() + settings.providers.deadlineMs;
    const rateLimited: number[] = [];
    for (const provider of settings.providers.order) {
        if (!breaker.tryAcquire(provider)) {
            attempts.push({ provider, reason: "skipped: its circuit is open after repeated failures" });
            continue;
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
            attempts.push({ provider, reason: `not tried: the request's ${settings.providers.deadlineMs} ms deadline passed` });
            breaker.release(provider);
            break;
        }
        const timeoutMs = Math.min(settings.providers.timeoutMs, remaining);
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), timeoutMs);
        try {
            const response = await fetch(upstreamRequest(provider, env, request), { signal: controller.signal });
            if (RETRYABLE(response.status)) {
                if (response.status === 429) rateLimited.push(retryAfterOf(response) ?? ALL_FAILED_RETRY_AFTER_SECONDS);
                attempts.push({ provider, reason: `status ${response.status}` });
                breaker.failure(provider);
                await response.body?.cancel();
                continue;
            }
            // 401/403 means our key for this provider is wrong: the client's request is fine, so try
            // the next provider, and never show the upstream's answer about our credentials.
            if (response.status === 401 || response.status === 403) {
                attempts.push({ provider, reason: `our key was refused (status ${response.status})` });
                breaker.failure(provider);
                await response.body?.cancel();
                continue;
            }
            const body = await response.json().catch(() => null);
            // Another 4xx is the caller's problem; another provider would refuse it too.
            if (!response.ok) {
                breaker.success(provider);
                return { ok: false, status: response.status, body: { error: "provider refused the request", provider, upstream: body } };
            }
            // A 200 without an answer is a failure like any other: fail over, and never cache it.
            const content = contentOf(provider, body);
            if (content.trim() === "") {
                attempts.push({ provider, reason: body === null ? "answered 200 with a body that is not JSON" : "answered 200 with no content" });
                breaker.failure(provider);
                continue;
            }
            breaker.success(provider);
            return { ok: true, reply: { provider, content } };
        } catch (error) {
            attempts.push({ provider, reason: controller.signal.aborted ? `timeout after ${timeoutMs} ms` : `network error: ${(error as Error).message}` });
            breaker.failure(provider);
        } finally {
            clearTimeout(timer);
        }
    }
    // Every provider rate limited: 429 with the soonest Retry-After they gave; otherwise 503.
    if (rateLimited.length === settings.providers.order.length) return { ok: false, status: 429, body: { error: "every provider is rate limiting", attempts }, retryAfterSeconds: Math.min(...rateLimited) };
    const openFor = Math.ceil(breaker.retryAfterMs(settings.providers.order) / 1000);
    return { ok: false, status: 503, body: { error: "no provider could answer", attempts }, retryAfterSeconds: Math.max(openFor, ALL_FAILED_RETRY_AFTER_SECONDS) };
}

export function parseChatRequest(body: unknown): ChatRequest | string {
    const b = body as { messages?: unknown; maxTokens?: unknown } | null;
    if (!b || !Array.isArray(b.messages) || b.messages.length === 0) return "expected {\"messages\": [{\"role\": \"user\", \"content\": \"...\"}]}";
    for (const m of b.messages as Array<Record<string, unknown>>) {
        if (!m || !["system", "user", "assistant"].includes(String(m["role"])) || typeof m["content"] !== "string") return "each message needs a role (system, user, assistant) and string content";
    }
    if (b.messages.length > LIMITS.messages) return `at most ${LIMITS.messages} messages`;
    if ((b.messages as ChatMessage[]).some((m) => m.content.length > LIMITS.messageChars)) return `each message at most ${LIMITS.messageChars} characters`;
    if (!(b.messages as ChatMessage[]).some((m) => m.role === "user")) return "the conversation needs a user message";
    if (b.maxTokens !== undefined && (typeof b.maxTokens !== "number" || b.maxTokens <= 0)) return "maxTokens must be a positive number";
    if (typeof b.maxTokens === "number" && b.maxTokens > LIMITS.maxTokens) return `maxTokens at most ${LIMITS.maxTokens}`;
    return { messages: b.messages as ChatMessage[], ...(typeof b.maxTokens === "number" ? { maxTokens: b.maxTokens } : {}) };
}
