/**
 * A provider's SSE stream as the client's OpenAI stream: read until the provider has sent
 * content (before that, a broken stream is a failover like any other failed call), then handed
 * to the client, replaying what was read, each further read bounded by `idleMs`.
 */
import { EventSourceParserStream } from "eventsource-parser/stream";
import { newCompletionId, sseData, SSE_DONE, type Chunk, type Usage } from "../openaiApi";
import type { ProviderAdapter } from "./adapter";

const hasContent = (c: Chunk) =>
    c.choices.some(
        (choice) =>
            (typeof choice.delta["content"] === "string" && choice.delta["content"] !== "") || Array.isArray(choice.delta["tool_calls"]),
    );

/**
 * The client's stream and, once it ends however it ends, its usage: the provider's own when the
 * stream finished, otherwise (a client that left, a stream that broke) what the provider had
 * reported, raised to an estimate from the characters sent, at OpenAI's rule of thumb of about
 * four characters a token. A stream cut short is still charged, never free.
 */
export interface StreamUsage {
    usage: Usage;
    estimated: boolean;
}

export interface CommittedStream {
    stream: ReadableStream<Uint8Array>;
    usage: Promise<StreamUsage>;
}

const CHARS_PER_TOKEN = 4;
const tokensOf = (chars: number) => Math.ceil(chars / CHARS_PER_TOKEN);
const contentChars = (chunks: Chunk[]) =>
    chunks.reduce(
        (n, c) =>
            n + c.choices.reduce((m, choice) => m + (typeof choice.delta["content"] === "string" ? choice.delta["content"].length : 0), 0),
        0,
    );

/** The client's stream, or why the provider's stream failed before any content. */
export async function commitStream(
    adapter: ProviderAdapter,
    response: Response,
    includeUsage: boolean,
    idleMs: number,
    promptChars: number,
): Promise<CommittedStream | string> {
    const translate = adapter.streamTranslator({ id: newCompletionId(), created: Math.floor(Date.now() / 1000), includeUsage });
    const events = response.body!.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
    const buffered: Chunk[] = [];
    let usage: Usage | undefined;
    let sentChars = 0;
    let settle: (value: StreamUsage) => void = () => undefined;
    const usageAtEnd = new Promise<StreamUsage>((resolve) => (settle = resolve));
    /** What each step adds to the count: the provider's latest usage, the characters it sent. */
    const count = (step: { chunks: Chunk[]; usage?: Usage }) => {
        if (step.usage) usage = step.usage;
        sentChars += contentChars(step.chunks);
    };
    /** `finished`: the provider ended its stream itself, so its usage is the whole answer's. */
    const ended = (finished: boolean) => {
        if (finished && usage) return settle({ usage, estimated: false });
        const prompt = usage?.prompt_tokens || tokensOf(promptChars);
        const completion = Math.max(usage?.completion_tokens ?? 0, tokensOf(sentChars));
        settle({ usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion }, estimated: true });
    };
    for (;;) {
        const next = await events.read();
        if (next.done) return "ended its stream before any content";
        const translated = translate(next.value);
        if (typeof translated === "string") {
            await events.cancel();
            return translated;
        }
        if (translated.done) return "ended its stream before any content";
        count(translated);
        buffered.push(...translated.chunks);
        if (translated.chunks.some(hasContent)) break;
        if (translated.chunks.some((c) => c.choices.some((choice) => choice.finish_reason !== null)))
            return "finished its stream with no content";
    }
    const finish = (controller: ReadableStreamDefaultController<Uint8Array>, error?: string) => {
        if (error)
            controller.enqueue(
                sseData({ error: { message: `the provider's stream broke: ${error}`, type: "server_error", param: null, code: null } }),
            );
        else controller.enqueue(sseData(SSE_DONE));
        controller.close();
        ended(!error);
    };
    const stream = new ReadableStream<Uint8Array>({
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
                    count(translated);
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
            // The client left: the provider stops generating, and what it had made is charged.
            ended(false);
            return events.cancel();
        },
    });
    return { stream, usage: usageAtEnd };
}
