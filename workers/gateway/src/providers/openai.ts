/** OpenAI's Chat Completions: the gateway's own wire format, so requests and chunks pass through. */
import { SSE_DONE, type Chunk, type Usage } from "../openaiApi";
import { eventJson, jsonPost, modelsUrl, type ProviderAdapter } from "./adapter";
import { PROVIDER_CATALOGUE } from "./catalogue";

export const openai: ProviderAdapter = {
    entry: PROVIDER_CATALOGUE.openai,
    openaiShaped: true,
    request(chat, endpoint) {
        const body = {
            ...chat.body,
            model: endpoint.model,
            stream: chat.stream,
            ...(chat.stream ? { stream_options: { include_usage: true } } : {}),
        };
        return jsonPost(endpoint.url, { authorization: `Bearer ${endpoint.apiKey}` }, body);
    },
    reply(body) {
        const b = body as {
            model?: string;
            usage?: Usage;
            choices?: Array<{ message?: { content?: string | null; tool_calls?: unknown[] }; finish_reason?: string }>;
        };
        const choice = b.choices?.[0];
        const content = choice?.message?.content;
        const toolCalls = choice?.message?.tool_calls;
        if ((typeof content !== "string" || content.trim() === "") && !(Array.isArray(toolCalls) && toolCalls.length > 0))
            return "answered 200 with no content";
        return {
            model: b.model ?? "unknown",
            message: {
                role: "assistant",
                content: typeof content === "string" ? content : null,
                ...(toolCalls ? { tool_calls: toolCalls } : {}),
            },
            finishReason: choice?.finish_reason ?? "stop",
            ...(b.usage ? { usage: b.usage } : {}),
        };
    },
    streamTranslator({ id, created, includeUsage }) {
        return (event) => {
            if (event.data === SSE_DONE) return { chunks: [], done: true };
            const parsed = eventJson<Chunk & { error?: unknown }>(event);
            if (parsed === undefined) return "sent a stream event that is not JSON";
            if (parsed.error) return "sent an error in its stream";
            if (!Array.isArray(parsed.choices)) return "sent a stream event that is not a chunk";
            const usage = parsed.usage ? { usage: parsed.usage } : {};
            // The usage chunk (no choices) goes to clients that asked for it; the gateway counts it either way.
            if (parsed.choices.length === 0 && !includeUsage) return { chunks: [], ...usage };
            return { chunks: [{ ...parsed, id, created }], ...usage };
        };
    },
    probe(endpoint) {
        // GET /v1/models lists the models our key may use; it spends no tokens.
        return new Request(modelsUrl(endpoint.url, "/chat/completions"), { headers: { authorization: `Bearer ${endpoint.apiKey}` } });
    },
};
