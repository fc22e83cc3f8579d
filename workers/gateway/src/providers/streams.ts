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

/** The client's stream and, once it ends however it ends, the usage the provider reported (undefined if none). */
export interface CommittedStream {
    stream: ReadableStream<Uint8Array>;
    usage: Promise<Usage | undefined>;
}

/** The client's stream, or why the provider's stream failed before any content. */
export async function commitStream(
    adapter: ProviderAdapter,
    response: Response,
    includeUsage: boolean,
    idleMs: number,
): Promise<CommittedStream | string> {
    const translate = adapter.streamTranslator({ id: newCompletionId(), created: Math.floor(Date.now() / 1000), includeUsage });
    const events = response.body!.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
    const buffered: Chunk[] = [];
    let usage: Usage | undefined;
    let ended: (usage: Usage | undefined) => void = () => undefined;
    const usageAtEnd = new Promise<Usage | undefined>((resolve) => (ended = resolve));
    for (;;) {
        const next = await events.read();
        if (next.done) return "ended its stream before any content";
        const translated = translate(next.value);
        if (typeof translated !== "string" && translated.usage) usage = translated.usage;
        if (typeof translated === "string") {
            await events.cancel();
            return translated;
        }
        if (translated.done) return "ended its stream before any content";
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
        ended(usage);
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
                    if (translated.usage) usage = translated.usage;
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
            // The client left: what the provider reported so far is what is counted.
            ended(usage);
            return events.cancel();
        },
    });
    return { stream, usage: usageAtEnd };
}
