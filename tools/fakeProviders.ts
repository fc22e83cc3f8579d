/**
 * Fake AI providers on 127.0.0.1 for the gateway's tests and benchmark: each answers in its
 * provider's real wire format (OpenAI Chat Completions, Anthropic Messages; JSON or SSE when
 * the request streams) or misbehaves as told.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ProviderName } from "../workers/gateway/src/providers/catalogue";

export type Behaviour =
    | "ok"
    /** The connection is dropped before any answer. */
    | "dead"
    | "hang"
    | "fail"
    | "refuse"
    | "unauthorized"
    | "limited"
    | "empty"
    | "garbage"
    | "huge"
    /** Streams the first event, then drops the connection. */
    | "stream-breaks"
    /** Streams the first events through its first content, then drops the connection: a stream cut short. */
    | "stream-breaks-midway";

export type Shape = ProviderName;

/** Each provider's answers on the wire: a provider in the catalogue without one fails the type-check. */
const WIRE_FORMATS: Record<Shape, { reply(text: string): unknown; empty: unknown; streamEvents(body: Record<string, unknown>): string[] }> =
    {
        openai: {
            reply: (text) => ({
                id: "chatcmpl-upstream",
                object: "chat.completion",
                created: 1,
                model: "gpt-test",
                choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
                usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
            }),
            empty: { choices: [{ message: { role: "assistant", content: null }, finish_reason: "stop" }] },
            streamEvents(body) {
                const chunk = (delta: unknown, finish: string | null = null) =>
                    `data: ${JSON.stringify({ id: "chatcmpl-upstream", object: "chat.completion.chunk", created: 1, model: "gpt-test", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
                const events = [
                    chunk({ role: "assistant", content: "" }),
                    chunk({ content: "hello " }),
                    chunk({ content: "from openai" }),
                    chunk({}, "stop"),
                ];
                if ((body["stream_options"] as { include_usage?: boolean } | undefined)?.include_usage)
                    events.push(
                        `data: ${JSON.stringify({ id: "chatcmpl-upstream", object: "chat.completion.chunk", created: 1, model: "gpt-test", choices: [], usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 } })}\n\n`,
                    );
                return [...events, "data: [DONE]\n\n"];
            },
        },
        anthropic: {
            reply: (text) => ({
                id: "msg_1",
                type: "message",
                role: "assistant",
                model: "claude-test",
                content: [{ type: "text", text }],
                stop_reason: "end_turn",
                usage: { input_tokens: 5, output_tokens: 3 },
            }),
            empty: { content: [] },
            streamEvents() {
                const event = (type: string, data: Record<string, unknown>) =>
                    `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
                return [
                    event("message_start", {
                        message: {
                            id: "msg_1",
                            type: "message",
                            role: "assistant",
                            model: "claude-test",
                            content: [],
                            usage: { input_tokens: 5, output_tokens: 0 },
                        },
                    }),
                    event("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
                    event("ping", {}),
                    event("content_block_delta", { index: 0, delta: { type: "text_delta", text: "hello " } }),
                    event("content_block_delta", { index: 0, delta: { type: "text_delta", text: "from anthropic" } }),
                    event("content_block_stop", { index: 0 }),
                    event("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 3 } }),
                    event("message_stop", {}),
                ];
            },
        },
    };

/** The secret a fake provider puts in its 401 answer: a gateway must never show it. */
export const UPSTREAM_SECRET_IN_401 = "sk-upstream-secret-in-error";

export class FakeProvider {
    behaviour: Behaviour = "ok";
    /** Delay before answering, ms. */
    latencyMs = 0;
    /** This many chat calls are answered 500 before `behaviour` applies (a provider's passing fault). */
    failNext = 0;
    calls = 0;
    /** GETs of the models list (the gateway's /health probe), not counted in `calls`. */
    probes = 0;
    /** Bodies of the requests received, parsed. */
    readonly requests: Array<Record<string, unknown>> = [];
    private readonly server: Server;

    constructor(readonly shape: Shape) {
        this.server = createServer((req, res) => void this.answer(req, res));
        this.server.keepAliveTimeout = 1000;
    }

    /** The behaviours that break the connection or the server, alike on every endpoint: true when one took the request. */
    private brokeDown(req: IncomingMessage, res: ServerResponse): boolean {
        switch (this.behaviour) {
            case "dead":
                req.socket.destroy();
                return true;
            case "hang":
                return true;
            case "fail":
                res.writeHead(500).end("upstream broke");
                return true;
            default:
                return false;
        }
    }

    /** The models list, as the providers' GET /v1/models answers it, or the behaviour's failure. */
    private probe(req: IncomingMessage, res: ServerResponse): void {
        this.probes++;
        if (this.brokeDown(req, res)) return;
        switch (this.behaviour) {
            case "unauthorized":
                return void res.writeHead(401, { "content-type": "application/json" }).end('{"error":{"message":"Incorrect API key"}}');
            default:
                return void res
                    .writeHead(200, { "content-type": "application/json" })
                    .end(JSON.stringify({ object: "list", data: [{ id: `${this.shape}-test`, object: "model" }] }));
        }
    }

    private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
        if (req.method === "GET" && req.url?.endsWith("/models")) return this.probe(req, res);
        this.calls++;
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
        this.requests.push(body);
        if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
        if (this.failNext > 0) {
            this.failNext--;
            return void res.writeHead(503).end("upstream busy");
        }
        const json = (status: number, value: unknown, headers: Record<string, string> = {}): void =>
            void res
                .writeHead(status, { "content-type": "application/json", ...headers })
                .end(typeof value === "string" ? value : JSON.stringify(value));
        if (this.brokeDown(req, res)) return;
        switch (this.behaviour) {
            case "refuse":
                return json(400, { error: { message: "Invalid value for 'messages'", type: "invalid_request_error" } });
            case "unauthorized":
                return json(401, { error: { message: `Incorrect API key provided: ${UPSTREAM_SECRET_IN_401}` } });
            case "limited":
                return json(429, { error: { message: "slow down" } }, { "retry-after": "7" });
            case "empty":
                return json(200, WIRE_FORMATS[this.shape].empty);
            case "garbage":
                return json(200, "<html>oops</html>");
            case "huge":
                return json(200, this.reply("x".repeat(26 * 1024 * 1024)));
            default:
                return body["stream"] === true ? this.stream(res, body) : json(200, this.reply(`hello from ${this.shape}`));
        }
    }

    private reply(text: string): unknown {
        return WIRE_FORMATS[this.shape].reply(text);
    }

    private stream(res: ServerResponse, body: Record<string, unknown>): void {
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
        const events = WIRE_FORMATS[this.shape].streamEvents(body);
        if (this.behaviour === "stream-breaks" || this.behaviour === "stream-breaks-midway") {
            res.write(this.behaviour === "stream-breaks" ? events[0] : events.slice(0, 2).join(""));
            return void setTimeout(() => res.socket?.destroy(), 10);
        }
        res.end(events.join(""));
    }

    reset(): void {
        this.behaviour = "ok";
        this.latencyMs = 0;
        this.failNext = 0;
        this.calls = 0;
        this.probes = 0;
        this.requests.length = 0;
    }

    async start(): Promise<string> {
        await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
        return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    }

    async stop(): Promise<void> {
        this.server.closeAllConnections();
        await new Promise((resolve) => this.server.close(resolve));
    }
}
