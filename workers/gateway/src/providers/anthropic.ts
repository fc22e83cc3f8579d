/** Anthropic's Messages API (https://docs.anthropic.com/en/api/messages), translated to and from OpenAI's terms. */
import { messageText } from "../openaiApi";
import { chunkOf, eventJson, jsonPost, modelsUrl, type ProviderAdapter } from "./adapter";
import { PROVIDER_CATALOGUE } from "./catalogue";

/** Anthropic requires max_tokens; OpenAI's default when a client sets none. */
const DEFAULT_MAX_TOKENS = 1024;
const FINISH: Record<string, string> = {
    end_turn: "stop",
    stop_sequence: "stop",
    max_tokens: "length",
    tool_use: "tool_calls",
    refusal: "content_filter",
};
const finishOf = (stopReason: string | undefined) => FINISH[stopReason ?? ""] ?? "stop";
const API_VERSION = "2023-06-01";

export const anthropic: ProviderAdapter = {
    entry: PROVIDER_CATALOGUE.anthropic,
    openaiShaped: false,
    request(chat, endpoint) {
        const system = chat.messages
            .filter((m) => m.role === "system" || m.role === "developer")
            .map((m) => messageText(m.content))
            .join("\n");
        const body = {
            model: endpoint.model,
            max_tokens: chat.maxTokens ?? DEFAULT_MAX_TOKENS,
            ...(system ? { system } : {}),
            messages: chat.messages
                .filter((m) => m.role === "user" || m.role === "assistant")
                .map((m) => ({ role: m.role, content: messageText(m.content) })),
            // Anthropic's temperature runs 0..1 where OpenAI's runs 0..2; 0 stays 0.
            ...(chat.temperature !== undefined ? { temperature: Math.min(1, chat.temperature) } : {}),
            ...(chat.topP !== undefined ? { top_p: chat.topP } : {}),
            ...(chat.stop ? { stop_sequences: chat.stop } : {}),
            stream: chat.stream,
        };
        return jsonPost(endpoint.url, { "x-api-key": endpoint.apiKey, "anthropic-version": API_VERSION }, body);
    },
    reply(body) {
        const b = body as {
            model?: string;
            stop_reason?: string;
            usage?: { input_tokens?: number; output_tokens?: number };
            content?: Array<{ type?: string; text?: string }>;
        };
        const content = Array.isArray(b.content) ? b.content.map((c) => (c.type === "text" ? (c.text ?? "") : "")).join("") : "";
        if (content.trim() === "") return "answered 200 with no content";
        const usage = b.usage
            ? {
                  prompt_tokens: b.usage.input_tokens ?? 0,
                  completion_tokens: b.usage.output_tokens ?? 0,
                  total_tokens: (b.usage.input_tokens ?? 0) + (b.usage.output_tokens ?? 0),
              }
            : undefined;
        return {
            model: b.model ?? "unknown",
            message: { role: "assistant", content },
            finishReason: finishOf(b.stop_reason),
            ...(usage ? { usage } : {}),
        };
    },
    streamTranslator(stream) {
        let model = "unknown";
        const usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
        type Event = {
            type?: string;
            message?: { model?: string; usage?: { input_tokens?: number } };
            delta?: { type?: string; text?: string; stop_reason?: string };
            usage?: { output_tokens?: number };
        };
        return (event) => {
            const data = eventJson<Event>(event);
            if (data === undefined) return "sent a stream event that is not JSON";
            switch (data.type) {
                case "message_start":
                    model = data.message?.model ?? model;
                    usage.prompt_tokens = data.message?.usage?.input_tokens ?? 0;
                    usage.total_tokens = usage.prompt_tokens;
                    // Reported as soon as known, so a stream cut short is charged its prompt at least.
                    return { chunks: [chunkOf(stream, model, { role: "assistant", content: "" })], usage: { ...usage } };
                case "content_block_delta":
                    return {
                        chunks:
                            data.delta?.type === "text_delta" && data.delta.text
                                ? [chunkOf(stream, model, { content: data.delta.text })]
                                : [],
                    };
                case "message_delta":
                    // Anthropic's output_tokens here is the running total, not a delta.
                    usage.completion_tokens = data.usage?.output_tokens ?? usage.completion_tokens;
                    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
                    return { chunks: [chunkOf(stream, model, {}, finishOf(data.delta?.stop_reason))], usage: { ...usage } };
                case "message_stop":
                    return {
                        chunks: stream.includeUsage ? [{ ...chunkOf(stream, model, {}), choices: [], usage }] : [],
                        done: true,
                        usage,
                    };
                case "error":
                    return "sent an error in its stream";
                default:
                    return { chunks: [] }; // ping, content_block_start/stop
            }
        };
    },
    probe(endpoint) {
        // GET /v1/models (https://docs.anthropic.com/en/api/models-list) spends no tokens.
        return new Request(modelsUrl(endpoint.url, "/messages"), {
            headers: { "x-api-key": endpoint.apiKey, "anthropic-version": API_VERSION },
        });
    },
};
