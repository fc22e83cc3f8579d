/**
 * OpenAI's Chat Completions wire format, which the gateway speaks whichever provider answers:
 * the request it accepts (checked against LIMITS), the completion and stream chunks it sends,
 * and OpenAI's error object (https://platform.openai.com/docs/api-reference/chat).
 */
import { LIMITS } from "./limits";

type Role = "system" | "developer" | "user" | "assistant" | "tool";

export interface ChatMessage {
    role: Role;
    /** Text, text parts, or null for an assistant turn that only called tools. */
    content: string | Array<{ type: string; text?: string }> | null;
    [field: string]: unknown;
}

/** A checked request: the client's body as sent (minus what the gateway owns), plus what routing needs. */
export interface ChatRequest {
    /** Forwarded to OpenAI-shaped upstreams; `model` and `stream` are the gateway's to set. */
    body: Record<string, unknown>;
    /** The model the client named ("auto" or a name): part of the cache key, never forwarded. */
    model: string;
    messages: ChatMessage[];
    stream: boolean;
    includeUsage: boolean;
    maxTokens?: number;
    temperature?: number;
    topP?: number;
    stop?: string[];
    /** Uses tools (or asks for a response format) that only OpenAI-shaped upstreams take. */
    openaiOnly: boolean;
}

export interface ApiError {
    status: number;
    message: string;
    type:
        "invalid_request_error" | "authentication_error" | "permission_error" | "rate_limit_error" | "insufficient_quota" | "server_error";
    code: string | null;
    param?: string | null;
}

/** OpenAI's error object; `status` overrides the error's own (a 413 or 415 is still an invalid request). */
export function errorResponse(error: ApiError, headers: Record<string, string> = {}, status = error.status): Response {
    return Response.json(
        { error: { message: error.message, type: error.type, param: error.param ?? null, code: error.code } },
        { status, headers },
    );
}

export const invalid = (message: string, param: string | null = null, code: string | null = null): ApiError => ({
    status: 400,
    type: "invalid_request_error",
    message,
    param,
    code,
});

/** The parameters the gateway passes on; anything else is refused rather than silently dropped. */
const ACCEPTED = new Set([
    "model",
    "messages",
    "stream",
    "stream_options",
    "max_tokens",
    "max_completion_tokens",
    "temperature",
    "top_p",
    "n",
    "stop",
    "seed",
    "presence_penalty",
    "frequency_penalty",
    "logit_bias",
    "logprobs",
    "top_logprobs",
    "user",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "response_format",
]);
const ROLES = new Set<Role>(["system", "developer", "user", "assistant", "tool"]);

/** A message's text, whether given as a string or as text parts. */
export function messageText(content: ChatMessage["content"]): string {
    if (typeof content === "string") return content;
    return (content ?? []).map((part) => part.text ?? "").join("");
}

function optionalNumber(body: Record<string, unknown>, name: string, min: number, max: number, problems: ApiError[]): number | undefined {
    const value = body[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max)
        problems.push(invalid(`${name} must be a number from ${min} to ${max}`, name));
    return value as number;
}

/** A count (tokens, choices): a whole number, as OpenAI's API types it; 1.5 tokens is a client's bug, not a request. */
function optionalInteger(body: Record<string, unknown>, name: string, min: number, max: number, problems: ApiError[]): number | undefined {
    const value = body[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
        problems.push(invalid(`${name} must be a whole number from ${min} to ${max}`, name));
    return value as number;
}

/** Checks a Chat Completions request; the first problem found is the client's answer. */
export function parseChatRequest(raw: unknown): ChatRequest | ApiError {
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) return invalid("the body must be a JSON object");
    const body = raw as Record<string, unknown>;
    const unknown = Object.keys(body).filter((k) => !ACCEPTED.has(k));
    if (unknown.length > 0) return invalid(`unsupported parameter ${unknown[0]}`, unknown[0]!, "unsupported_parameter");
    if (typeof body["model"] !== "string" || body["model"] === "")
        return invalid('model is required: a model name, or "auto" for the gateway\'s choice', "model");
    const messages = body["messages"];
    if (!Array.isArray(messages) || messages.length === 0) return invalid("messages must be a non-empty array", "messages");
    if (messages.length > LIMITS.messages) return invalid(`at most ${LIMITS.messages} messages`, "messages");
    for (const [i, m] of (messages as unknown[]).entries()) {
        const message = m as Partial<ChatMessage> | null;
        if (!message || !ROLES.has(message.role as Role))
            return invalid(`messages[${i}].role must be one of ${[...ROLES].join(", ")}`, `messages[${i}].role`);
        const content = message.content;
        const textParts =
            Array.isArray(content) && content.every((p) => p && typeof p === "object" && p.type === "text" && typeof p.text === "string");
        const toolCallOnly = content === null && message.role === "assistant" && Array.isArray(message["tool_calls"]);
        if (typeof content !== "string" && !textParts && !toolCallOnly)
            return invalid(`messages[${i}].content must be a string or text parts`, `messages[${i}].content`);
        if (messageText(content as ChatMessage["content"]).length > LIMITS.messageChars)
            return invalid(`messages[${i}] is longer than ${LIMITS.messageChars} characters`, `messages[${i}].content`);
    }
    const typed = messages as ChatMessage[];
    if (!typed.some((m) => m.role === "user")) return invalid("the conversation needs a user message", "messages");
    if (body["stream"] !== undefined && typeof body["stream"] !== "boolean") return invalid("stream must be true or false", "stream");
    const problems: ApiError[] = [];
    // Both are checked when both are sent; the newer name wins.
    const maxCompletionTokens = optionalInteger(body, "max_completion_tokens", 1, LIMITS.maxTokens, problems);
    const legacyMaxTokens = optionalInteger(body, "max_tokens", 1, LIMITS.maxTokens, problems);
    const maxTokens = maxCompletionTokens ?? legacyMaxTokens;
    const temperature = optionalNumber(body, "temperature", 0, 2, problems);
    const topP = optionalNumber(body, "top_p", 0, 1, problems);
    // As OpenAI's API reference bounds them (docs/provider-rules.md); n above 1 is refused, the gateway answers one choice.
    optionalInteger(body, "n", 1, 1, problems);
    optionalNumber(body, "presence_penalty", -2, 2, problems);
    optionalNumber(body, "frequency_penalty", -2, 2, problems);
    optionalInteger(body, "top_logprobs", 0, 20, problems);
    optionalInteger(body, "seed", Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, problems);
    if (body["logprobs"] !== undefined && body["logprobs"] !== null && typeof body["logprobs"] !== "boolean")
        problems.push(invalid("logprobs must be true or false", "logprobs"));
    if (body["top_logprobs"] !== undefined && body["top_logprobs"] !== null && body["logprobs"] !== true)
        problems.push(invalid("top_logprobs needs logprobs: true", "top_logprobs"));
    const bias = body["logit_bias"];
    if (
        bias !== undefined &&
        bias !== null &&
        (typeof bias !== "object" ||
            Array.isArray(bias) ||
            !Object.entries(bias).every(
                ([token, v]) => /^\d+$/.test(token) && Number.isInteger(v) && (v as number) >= -100 && (v as number) <= 100,
            ))
    )
        problems.push(invalid("logit_bias must map token ids to whole numbers from -100 to 100", "logit_bias"));
    if (problems.length > 0) return problems[0]!;
    const stop = body["stop"];
    if (
        stop !== undefined &&
        stop !== null &&
        typeof stop !== "string" &&
        !(Array.isArray(stop) && stop.every((s) => typeof s === "string"))
    )
        return invalid("stop must be a string or an array of strings", "stop");
    const streamOptions = body["stream_options"] as { include_usage?: unknown } | undefined;
    const forwarded = Object.fromEntries(Object.entries(body).filter(([k]) => k !== "model" && k !== "stream" && k !== "stream_options"));
    const openaiOnly =
        ["tools", "tool_choice", "parallel_tool_calls", "response_format", "logprobs", "top_logprobs", "logit_bias"].some(
            (k) => body[k] !== undefined,
        ) || typed.some((m) => m.role === "tool" || m.content === null);
    return {
        body: forwarded,
        model: body["model"] as string,
        messages: typed,
        stream: body["stream"] === true,
        includeUsage: streamOptions?.include_usage === true,
        ...(maxTokens !== undefined ? { maxTokens } : {}),
        ...(temperature !== undefined ? { temperature } : {}),
        ...(topP !== undefined ? { topP } : {}),
        ...(stop !== undefined && stop !== null ? { stop: typeof stop === "string" ? [stop] : (stop as string[]) } : {}),
        openaiOnly,
    };
}

export interface Usage {
    prompt_tokens: number;
    completion_tokens: number;
    total_tokens: number;
}

/** What a provider answered, in OpenAI's terms. */
export interface ChatReply {
    provider: string;
    model: string;
    message: { role: "assistant"; content: string | null; tool_calls?: unknown[]; refusal?: string | null };
    finishReason: string;
    usage?: Usage;
}

export function completion(reply: ChatReply, id: string, created: number): Record<string, unknown> {
    return {
        id,
        object: "chat.completion",
        created,
        model: reply.model,
        choices: [{ index: 0, message: { refusal: null, ...reply.message }, logprobs: null, finish_reason: reply.finishReason }],
        ...(reply.usage ? { usage: reply.usage } : {}),
    };
}

/** One `chat.completion.chunk`. */
export interface Chunk {
    id: string;
    object: "chat.completion.chunk";
    created: number;
    model: string;
    choices: Array<{ index: number; delta: Record<string, unknown>; logprobs?: null; finish_reason: string | null }>;
    usage?: Usage | null;
}

const encoder = new TextEncoder();
export const sseData = (data: unknown): Uint8Array => encoder.encode(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
export const SSE_DONE = "[DONE]";

export const newCompletionId = (): string => `chatcmpl-${crypto.randomUUID().replace(/-/g, "")}`;
