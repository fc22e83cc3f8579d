/**
 * Where a client key lives and what its record holds: read by the Worker (clientKeys.ts),
 * written by `npm run keys` (tools/apiKeys.ts). Plain TypeScript, so both sides share it and
 * its check.
 */

/** A key is stored only as `apikey:<lowercase hex SHA-256 of the key>` in the STATE namespace. */
export const KEY_PREFIX = "apikey:";

export const keyRecordName = (sha256Hex: string): string => `${KEY_PREFIX}${sha256Hex}`;

/** The record's value: the client, and the limits of this key (each optional). */
export interface ClientRecord {
    client: string;
    /** Requests: a token bucket of `burst`, refilled at `maxRequests` per `windowMs` (the stack's edge.rateLimit otherwise). */
    rateLimit?: { maxRequests?: number; windowMs?: number; burst?: number };
    /** Prompt plus completion tokens per minute, counted from the providers' usage after each answer. */
    tokensPerMinute?: number;
    /** Spend per calendar month (UTC): refused with insufficient_quota once either is reached. */
    monthlyBudget?: { tokens?: number; usd?: number };
    /** The models this key may be served by (the providers' configured models); every model when absent. */
    models?: string[];
    /** ISO 8601 instant after which the key is refused (a rotated key's overlap ends here). */
    expiresAt?: string;
}

const positive = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v > 0;

/** What is wrong with a stored record, all of it; empty when it is a ClientRecord. */
export function recordProblems(value: unknown): string[] {
    const r = value as Partial<ClientRecord> | null;
    if (!r || typeof r !== "object" || Array.isArray(r)) return ["expected an object"];
    const problems: string[] = [];
    if (typeof r.client !== "string" || r.client === "") problems.push("client: expected a name");
    if (r.rateLimit !== undefined && (typeof r.rateLimit !== "object" || !Object.values(r.rateLimit).every(positive)))
        problems.push("rateLimit: expected positive maxRequests, windowMs and burst");
    if (r.tokensPerMinute !== undefined && !positive(r.tokensPerMinute)) problems.push("tokensPerMinute: expected a positive number");
    if (
        r.monthlyBudget !== undefined &&
        (typeof r.monthlyBudget !== "object" ||
            Object.keys(r.monthlyBudget).length === 0 ||
            !Object.entries(r.monthlyBudget).every(([k, v]) => (k === "tokens" || k === "usd") && positive(v)))
    )
        problems.push("monthlyBudget: expected positive tokens and/or usd");
    if (r.models !== undefined && (!Array.isArray(r.models) || r.models.length === 0 || !r.models.every((m) => typeof m === "string" && m)))
        problems.push("models: expected a non-empty list of model names");
    if (r.expiresAt !== undefined && (typeof r.expiresAt !== "string" || Number.isNaN(Date.parse(r.expiresAt))))
        problems.push("expiresAt: expected an ISO 8601 date and time");
    return problems;
}

/** The first instant of the month after `now`'s (UTC): when a monthly budget starts again. */
export function monthlyResetAt(now: number): Date {
    const d = new Date(now);
    return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
}

/** The calendar month (UTC) a spend counts toward: `2026-12`. */
export const budgetMonth = (now: number): string => new Date(now).toISOString().slice(0, 7);
