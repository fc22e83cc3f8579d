/**
 * Test-only entry (tests/worker/thirdProvider.test.ts): the gateway with a third provider added
 * on the Worker's side by an entry and an adapter and nothing else (the program's side, the
 * schema and the bindings, follows PROVIDER_CATALOGUE: tests/edge/edge.test.ts). "acme" is fake; its wire format is shaped like Cohere's v2 chat API so that it is neither OpenAI's nor
 * Anthropic's.
 */
import { createGateway } from "../src/gateway";
import { messageText } from "../src/openaiApi";
import { chunkOf, eventJson, jsonPost, type ProviderAdapter } from "../src/providers/adapter";
import type { ProviderEntry } from "../src/providers/catalogue";
import { ADAPTERS } from "../src/providers/registry";

const ACME: ProviderEntry = {
    bindingPrefix: "ACME",
    secretConfigKey: "acmeApiKey",
    configPrefix: "acme",
    defaultUrl: "https://api.acme.test/v2/chat",
    defaultModel: "acme-large",
};

const FINISH: Record<string, string> = { COMPLETE: "stop", MAX_TOKENS: "length" };

const acme: ProviderAdapter = {
    entry: ACME,
    openaiShaped: false,
    request(chat, endpoint) {
        const body = {
            model: endpoint.model,
            messages: chat.messages.map((m) => ({ role: m.role, content: messageText(m.content) })),
            stream: chat.stream,
            ...(chat.maxTokens ? { max_tokens: chat.maxTokens } : {}),
        };
        return jsonPost(endpoint.url, { authorization: `Bearer ${endpoint.apiKey}` }, body);
    },
    reply(body) {
        const b = body as {
            message?: { content?: Array<{ text?: string }> };
            finish_reason?: string;
            usage?: { tokens?: { input_tokens?: number; output_tokens?: number } };
        } | null;
        const content = (b?.message?.content ?? []).map((c) => c.text ?? "").join("");
        if (content === "") return "answered 200 with no content";
        const [prompt, completion] = [b?.usage?.tokens?.input_tokens ?? 0, b?.usage?.tokens?.output_tokens ?? 0];
        return {
            model: ACME.defaultModel,
            message: { role: "assistant", content },
            finishReason: FINISH[b?.finish_reason ?? ""] ?? "stop",
            usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
        };
    },
    streamTranslator(stream) {
        return (event) => {
            const data = eventJson<{ type?: string; delta?: { message?: { content?: { text?: string } }; finish_reason?: string } }>(event);
            if (data === undefined) return "sent a stream event that is not JSON";
            if (data.type === "content-delta")
                return { chunks: [chunkOf(stream, ACME.defaultModel, { content: data.delta?.message?.content?.text ?? "" })] };
            if (data.type === "message-end")
                return { chunks: [chunkOf(stream, ACME.defaultModel, {}, FINISH[data.delta?.finish_reason ?? ""] ?? "stop")], done: true };
            return { chunks: [] };
        };
    },
    probe(endpoint) {
        return new Request(new URL("models", endpoint.url), { headers: { authorization: `Bearer ${endpoint.apiKey}` } });
    },
};

export default createGateway({ ...ADAPTERS, acme });
