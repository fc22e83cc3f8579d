/**
 * Per-client rate limiting in a Durable Object: one object per client, so counts are exact
 * however many requests arrive at once. A token bucket: up to `burst` requests at once,
 * refilled at `maxRequests` per `windowMs`.
 */

interface TakeRequest {
    burst: number;
    maxRequests: number;
    windowMs: number;
}

export interface TakeResult {
    allowed: boolean;
    remaining: number;
    retryAfterMs: number;
}

interface Bucket {
    tokens: number;
    updatedAt: number;
}

export class RateLimiter implements DurableObject {
    private bucket: Bucket | undefined;

    constructor(private readonly state: DurableObjectState) {
        void state.blockConcurrencyWhile(async () => {
            this.bucket = await state.storage.get<Bucket>("bucket");
        });
    }

    async fetch(request: Request): Promise<Response> {
        if (new URL(request.url).pathname === "/ping") return new Response("pong");
        const { burst, maxRequests, windowMs } = (await request.json()) as TakeRequest;
        const now = Date.now();
        const refillPerMs = maxRequests / windowMs;
        const previous = this.bucket ?? { tokens: burst, updatedAt: now };
        const tokens = Math.min(burst, previous.tokens + (now - previous.updatedAt) * refillPerMs);
        const allowed = tokens >= 1;
        this.bucket = { tokens: allowed ? tokens - 1 : tokens, updatedAt: now };
        void this.state.storage.put("bucket", this.bucket);
        const result: TakeResult = {
            allowed,
            remaining: Math.floor(this.bucket.tokens),
            retryAfterMs: allowed ? 0 : Math.ceil((1 - tokens) / refillPerMs),
        };
        return Response.json(result);
    }
}
