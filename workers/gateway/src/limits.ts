/**
 * What the gateway accepts, checked before a rate-limit token is spent or a provider called:
 * a JSON body of bounded size, a bounded conversation that has a user message, a bounded
 * answer length.
 */

export const LIMITS = {
    /** Request body, bytes. */
    bodyBytes: 1024 * 1024,
    /** Messages in one request. */
    messages: 256,
    /** Characters of one message. */
    messageChars: 32 * 1024,
    /** The largest maxTokens a client may ask for. */
    maxTokens: 4096,
} as const;

export type BodyResult = { ok: true; body: unknown } | { ok: false; status: 400 | 413 | 415; error: string };

/** The request's JSON body, read no further than LIMITS.bodyBytes. */
export async function readJsonBody(request: Request): Promise<BodyResult> {
    const type = request.headers.get("content-type") ?? "";
    if (!/^application\/json\b/i.test(type))
        return { ok: false, status: 415, error: `send the body as application/json, not ${type || "no content type"}` };
    const tooLarge = { ok: false, status: 413, error: `the body is larger than ${LIMITS.bodyBytes} bytes` } as const;
    if (Number(request.headers.get("content-length") ?? 0) > LIMITS.bodyBytes) return tooLarge;
    const reader = request.body?.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (let next = await reader?.read(); next && !next.done; next = await reader!.read()) {
        size += next.value.byteLength;
        if (size > LIMITS.bodyBytes) {
            await reader!.cancel();
            return tooLarge;
        }
        chunks.push(next.value);
    }
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
        bytes.set(chunk, offset);
        offset += chunk.byteLength;
    }
    try {
        return { ok: true, body: JSON.parse(new TextDecoder().decode(bytes)) as unknown };
    } catch {
        return { ok: false, status: 400, error: "the body is not valid JSON" };
    }
}
