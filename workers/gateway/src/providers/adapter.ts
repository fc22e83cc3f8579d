/**
 * What the failover loop (failover.ts) needs of a provider: how to ask it for a chat completion
 * and how to read its answer and its stream in OpenAI's terms. One adapter per provider, each in
 * its own file, registered in registry.ts.
 */
import type { EventSourceMessage } from "eventsource-parser";
import type { ChatReply, ChatRequest, Chunk, Usage } from "../openaiApi";
import type { ProviderEntry } from "./catalogue";

/** Where and as whom the gateway calls a provider: its `<prefix>_URL`, `<prefix>_MODEL` and `<prefix>_API_KEY` bindings. */
export interface Endpoint {
    url: string;
    model: string;
    apiKey: string;
}

/**
 * One upstream stream event as OpenAI chunks (`done` at the end of the stream) and the answer's
 * token usage once the provider has told it, or why the stream is broken.
 */
type StreamStep = { chunks: Chunk[]; done?: true; usage?: Usage } | string;

export interface ProviderAdapter {
    readonly entry: ProviderEntry;
    /**
     * Takes OpenAI's own request features (tools, response formats, logprobs) as they are: a
     * request using them is sent only to such providers.
     */
    readonly openaiShaped: boolean;
    /** The upstream request for a checked chat request. */
    request(chat: ChatRequest, endpoint: Endpoint): Request;
    /** A whole (non-streamed) answer in OpenAI's terms from the JSON object the provider sent, or why it is not one. */
    reply(body: object): Omit<ChatReply, "provider"> | string;
    /** A translator for one stream: each upstream SSE event in, OpenAI chunks out. */
    streamTranslator(stream: { id: string; created: number; includeUsage: boolean }): (event: EventSourceMessage) => StreamStep;
    /** A request that shows whether the provider would take our key now without spending tokens (its models list): /health sends it. */
    probe(endpoint: Endpoint): Request;
}

/**
 * The provider's models list beside its chat endpoint: `<base>/models` where the chat URL ends in
 * `chatPath` (https://api.openai.com/v1/chat/completions -> https://api.openai.com/v1/models),
 * else `models` under the URL's path.
 */
export function modelsUrl(chatUrl: string, chatPath: string): string {
    const url = new URL(chatUrl);
    url.search = "";
    url.pathname = url.pathname.endsWith(chatPath)
        ? `${url.pathname.slice(0, -chatPath.length)}/models`
        : `${url.pathname.replace(/\/$/, "")}/models`;
    return url.toString();
}

/** A provider's 401 or 403: our key for it is wrong (never the client's request). */
export const refusesOurKey = (status: number | undefined): boolean => status === 401 || status === 403;

/** A JSON POST to a provider, with its own auth headers. */
export function jsonPost(url: string, headers: Record<string, string>, body: unknown): Request {
    return new Request(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
}

/** Builds a chunk of a translated stream. */
export function chunkOf(
    stream: { id: string; created: number },
    model: string,
    delta: Record<string, unknown>,
    finish: string | null = null,
): Chunk {
    return {
        id: stream.id,
        object: "chat.completion.chunk",
        created: stream.created,
        model,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    };
}

/** A stream event's JSON, or undefined when it is not JSON. */
export function eventJson<T>(event: EventSourceMessage): T | undefined {
    try {
        return JSON.parse(event.data) as T;
    } catch {
        return undefined;
    }
}
