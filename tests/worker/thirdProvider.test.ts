/**
 * A third provider needs only a catalogue entry and an adapter (workers/gateway/test/thirdProvider.ts):
 * the gateway built with them serves it in workerd to the real `openai` client, before and
 * beside the two it ships with.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Miniflare } from "miniflare";
import OpenAI from "openai";
import { REPO_ROOT } from "../../config/repoRoot";
import { addClientKey, defaultGatewayBindings, gatewayInWorkerd } from "../../tools/gatewayWorkerd";

const requests: Array<{ authorization: string | undefined; body: Record<string, unknown> }> = [];
/** The fake upstream, in the Cohere-v2-like shape the adapter speaks: JSON, or SSE when asked to stream. */
const upstream = createServer((req: IncomingMessage, res: ServerResponse) => {
    // /health's probe: the models list.
    if (req.method === "GET") return void res.writeHead(200, { "content-type": "application/json" }).end('{"data":[]}');
    let raw = "";
    req.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
    req.on("end", () => {
        const body = JSON.parse(raw) as Record<string, unknown>;
        requests.push({ authorization: req.headers.authorization, body });
        if (body["stream"] !== true) {
            res.writeHead(200, { "content-type": "application/json" }).end(
                JSON.stringify({
                    id: "acme-1",
                    finish_reason: "COMPLETE",
                    message: { role: "assistant", content: [{ type: "text", text: "hello from acme" }] },
                    usage: { tokens: { input_tokens: 7, output_tokens: 3 } },
                }),
            );
            return;
        }
        res.writeHead(200, { "content-type": "text/event-stream" });
        for (const text of ["hello ", "from ", "acme"])
            res.write(
                `event: content-delta\ndata: ${JSON.stringify({ type: "content-delta", delta: { message: { content: { text } } } })}\n\n`,
            );
        res.end(`event: message-end\ndata: ${JSON.stringify({ type: "message-end", delta: { finish_reason: "COMPLETE" } })}\n\n`);
    });
});

let mf: Miniflare;
let client: OpenAI;

beforeAll(async () => {
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v2/chat`;
    const bindings = {
        ...defaultGatewayBindings("test", { PROVIDER_ORDER: "acme,openai", OPENAI_URL: "http://127.0.0.1:9/v1/chat/completions" }),
        ACME_URL: url,
        ACME_MODEL: "acme-large",
        ACME_API_KEY: "test-acme-key",
    };
    mf = gatewayInWorkerd(bindings, join(REPO_ROOT, "workers", "gateway", "test", "thirdProvider.ts"));
    const key = "gw-third-provider-key";
    await addClientKey(mf, key, { client: "third-provider" });
    client = new OpenAI({ apiKey: key, baseURL: `${(await mf.ready).origin}/v1`, maxRetries: 0 });
});

afterAll(async () => {
    await mf?.dispose();
    await new Promise((resolve) => upstream.close(resolve));
});

it("serves a chat completion through the third provider's adapter", async () => {
    const { data, response } = await client.chat.completions
        .create({ model: "auto", messages: [{ role: "user", content: "hi" }], max_tokens: 16 })
        .withResponse();
    expect(response.headers.get("x-provider")).toBe("acme");
    expect(data.choices[0]?.message.content).toBe("hello from acme");
    expect(data.choices[0]?.finish_reason).toBe("stop");
    expect(data.usage).toEqual({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
    // The upstream got its own format, with our key for it and the configured model.
    expect(requests.at(-1)).toEqual({
        authorization: "Bearer test-acme-key",
        body: { model: "acme-large", messages: [{ role: "user", content: "hi" }], stream: false, max_tokens: 16 },
    });
});

it("streams through the third provider's stream translator", async () => {
    const stream = await client.chat.completions.create({ model: "auto", messages: [{ role: "user", content: "hi" }], stream: true });
    let text = "";
    let finish: string | null = null;
    for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? "";
        finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect([text, finish]).toEqual(["hello from acme", "stop"]);
});

it("reports the third provider in /health like the others", async () => {
    const health = (await (await mf.dispatchFetch("https://gateway.test/health")).json()) as {
        providers: Record<string, { state: string }>;
    };
    expect(Object.keys(health.providers)).toEqual(["acme", "openai"]);
    expect(health.providers["acme"]?.state).toBe("closed");
});
