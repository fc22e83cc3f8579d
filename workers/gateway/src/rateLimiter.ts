/**
 * Per-client limits in a Durable Object: one object per client, so counts are exact however
 * many requests arrive at once.
 * - requests: a token bucket of up to `burst` requests, refilled at `maxRequests` per `windowMs`;
 * - tokens per minute: a bucket of `tokensPerMinute`, debited by each answer's usage after it
 *   (with the client's next `/take`, or `/spend`), so a request is let through while a whole token is left and a large answer may overdraw it
 *   (as Kong's AI rate limiting counts);
 * - a monthly budget of tokens and/or dollars (UTC calendar month), refused once reached.
 */
import { budgetMonth, monthlyResetAt } from "./clientKeyRecord";

export interface TakeRequest {
    burst: number;
    maxRequests: number;
    windowMs: number;
    tokensPerMinute?: number;
    monthlyBudget?: { tokens?: number; usd?: number };
    /** Earlier answers' spend, debited before this request is judged. */
    spend?: SpendRequest;
}

export interface SpendRequest {
    tokens: number;
    usd: number;
    tokensPerMinute?: number;
}

/** Which limit refused a request. */
export type LimitReached = "requests" | "tokens" | "budget";

export interface TakeResult {
    allowed: boolean;
    remaining: number;
    retryAfterMs: number;
    limit?: LimitReached;
    /** A spent budget: when it starts again (ISO 8601). */
    resetsAt?: string;
}

interface Bucket {
    tokens: number;
    updatedAt: number;
}

interface MonthSpend {
    month: string;
    tokens: number;
    usd: number;
}

const MINUTE_MS = 60_000;

/** A bucket of `capacity` refilled at `perMs`, brought to `now`. */
function refill(bucket: Bucket | undefined, capacity: number, perMs: number, now: number): Bucket {
    const previous = bucket ?? { tokens: capacity, updatedAt: now };
    return { tokens: Math.min(capacity, previous.tokens + (now - previous.updatedAt) * perMs), updatedAt: now };
}

export class RateLimiter implements DurableObject {
    private requests: Bucket | undefined;
    private tokens: Bucket | undefined;
    private spend: MonthSpend | undefined;

    constructor(private readonly state: DurableObjectState) {
        void state.blockConcurrencyWhile(async () => {
            const stored = await state.storage.get<Bucket | MonthSpend>(["bucket", "tokenBucket", "spend"]);
            this.requests = stored.get("bucket") as Bucket | undefined;
            this.tokens = stored.get("tokenBucket") as Bucket | undefined;
            this.spend = stored.get("spend") as MonthSpend | undefined;
        });
    }

    private monthSpend(now: number): MonthSpend {
        const month = budgetMonth(now);
        if (this.spend?.month !== month) this.spend = { month, tokens: 0, usd: 0 };
        return this.spend;
    }

    private take(limits: TakeRequest, now: number): TakeResult {
        const { monthlyBudget, tokensPerMinute } = limits;
        if (limits.spend) this.debit(limits.spend, now);
        if (monthlyBudget) {
            const spent = this.monthSpend(now);
            if (
                (monthlyBudget.tokens !== undefined && spent.tokens >= monthlyBudget.tokens) ||
                (monthlyBudget.usd !== undefined && spent.usd >= monthlyBudget.usd)
            ) {
                const resetsAt = monthlyResetAt(now);
                return {
                    allowed: false,
                    remaining: 0,
                    retryAfterMs: resetsAt.getTime() - now,
                    limit: "budget",
                    resetsAt: resetsAt.toISOString(),
                };
            }
        }
        if (tokensPerMinute !== undefined) {
            const perMs = tokensPerMinute / MINUTE_MS;
            this.tokens = refill(this.tokens, tokensPerMinute, perMs, now);
            if (this.tokens.tokens < 1)
                return { allowed: false, remaining: 0, retryAfterMs: Math.ceil((1 - this.tokens.tokens) / perMs), limit: "tokens" };
        }
        const perMs = limits.maxRequests / limits.windowMs;
        const bucket = refill(this.requests, limits.burst, perMs, now);
        const allowed = bucket.tokens >= 1;
        this.requests = { tokens: allowed ? bucket.tokens - 1 : bucket.tokens, updatedAt: now };
        void this.state.storage.put("bucket", this.requests);
        return {
            allowed,
            remaining: Math.floor(this.requests.tokens),
            retryAfterMs: allowed ? 0 : Math.ceil((1 - bucket.tokens) / perMs),
            ...(allowed ? {} : { limit: "requests" as const }),
        };
    }

    private debit({ tokens, usd, tokensPerMinute }: SpendRequest, now: number): MonthSpend {
        const spent = this.monthSpend(now);
        spent.tokens += tokens;
        spent.usd += usd;
        if (tokensPerMinute !== undefined) {
            this.tokens = refill(this.tokens, tokensPerMinute, tokensPerMinute / MINUTE_MS, now);
            this.tokens.tokens -= tokens;
            void this.state.storage.put("tokenBucket", this.tokens);
        }
        void this.state.storage.put("spend", spent);
        return spent;
    }

    async fetch(request: Request): Promise<Response> {
        const path = new URL(request.url).pathname;
        if (path === "/ping") return new Response("pong");
        if (path === "/spend") return Response.json(this.debit((await request.json()) as SpendRequest, Date.now()));
        return Response.json(this.take((await request.json()) as TakeRequest, Date.now()));
    }
}
