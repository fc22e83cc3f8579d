/**
 * The Worker's settings, read from its bindings. Everything ops tune per environment arrives
 * as a plain-text var set by components/edge from stack config; keys arrive as secrets.
 */

export type ProviderName = "openai" | "anthropic";

export interface Env {
    ENVIRONMENT: string;
    VERSION: string;
    ORIGIN_URL: string;
    CACHE_SIZE: string;
    CACHE_TTL_MS: string;
    CACHE_CLEANUP_INTERVAL_MS: string;
    RATE_LIMIT_MAX_REQUESTS: string;
    RATE_LIMIT_WINDOW_MS: string;
    RATE_LIMIT_BURST: string;
    CONCURRENCY_MAX: string;
    CONCURRENCY_MIN: string;
    PROVIDER_ORDER: string;
    PROVIDER_TIMEOUT_MS: string;
    REQUEST_DEADLINE_MS: string;
    CIRCUIT_FAILURES: string;
    CIRCUIT_OPEN_MS: string;
    OPENAI_URL: string;
    OPENAI_MODEL: string;
    ANTHROPIC_URL: string;
    ANTHROPIC_MODEL: string;
    KV_BACKUP_BINDINGS: string;
    KV_BACKUP_PREFIX: string;
    KV_BACKUP_RETENTION_DAYS: string;
    OPENAI_API_KEY?: string;
    ANTHROPIC_API_KEY?: string;
    CACHE: KVNamespace;
    /** Client keys (clientKeys.ts) and other state that must outlive a cache. */
    STATE: KVNamespace;
    BACKUPS: R2Bucket;
    RATE_LIMITER: DurableObjectNamespace;
    /** Workers Analytics Engine dataset of the gateway's own signals (analytics.ts). */
    ANALYTICS?: AnalyticsEngineDataset;
    [binding: string]: unknown;
}

export interface Settings {
    cache: { size: number; ttlMs: number; cleanupIntervalMs: number };
    rateLimit: { maxRequests: number; windowMs: number; burst: number };
    concurrency: { max: number; min: number };
    providers: { order: ProviderName[]; timeoutMs: number; deadlineMs: number; circuitFailures: number; circuitOpenMs: number };
    backup: { bindings: string[]; prefix: string; retentionDays: number };
}

export interface SettingsResult {
    settings?: Settings;
    /** What is wrong with the bindings: reported by /health, never discovered by a user's request. */
    problems: string[];
}

/** The secret binding holding our key for `provider`. */
export function apiKeyBinding(provider: ProviderName): "OPENAI_API_KEY" | "ANTHROPIC_API_KEY" {
    return provider === "openai" ? "OPENAI_API_KEY" : "ANTHROPIC_API_KEY";
}

function positive(env: Env, key: keyof Env, problems: string[]): number {
    const value = Number(env[key]);
    if (!Number.isFinite(value) || value <= 0) problems.push(`${String(key)} must be a positive number, got ${JSON.stringify(env[key])}`);
    return value;
}

export function readSettings(env: Env): SettingsResult {
    const problems: string[] = [];
    const order = String(env.PROVIDER_ORDER ?? "")
        .split(",")
        .map((p) => p.trim())
        .filter(Boolean);
    for (const provider of order) {
        if (provider !== "openai" && provider !== "anthropic") problems.push(`PROVIDER_ORDER names unknown provider "${provider}"`);
        else if (!env[apiKeyBinding(provider)]) problems.push(`provider ${provider} has no API key binding`);
    }
    if (order.length === 0) problems.push("PROVIDER_ORDER names no provider");
    const bindings = String(env.KV_BACKUP_BINDINGS ?? "").split(",").filter(Boolean);
    for (const b of bindings) if (!env[b]) problems.push(`KV_BACKUP_BINDINGS names ${b}, which is not bound`);
    const settings: Settings = {
        cache: { size: positive(env, "CACHE_SIZE", problems), ttlMs: positive(env, "CACHE_TTL_MS", problems), cleanupIntervalMs: positive(env, "CACHE_CLEANUP_INTERVAL_MS", problems) },
        rateLimit: { maxRequests: positive(env, "RATE_LIMIT_MAX_REQUESTS", problems), windowMs: positive(env, "RATE_LIMIT_WINDOW_MS", problems), burst: positive(env, "RATE_LIMIT_BURST", problems) },
        concurrency: { max: positive(env, "CONCURRENCY_MAX", problems), min: positive(env, "CONCURRENCY_MIN", problems) },
        providers: {
            order: order as ProviderName[],
            timeoutMs: positive(env, "PROVIDER_TIMEOUT_MS", problems),
            deadlineMs: positive(env, "REQUEST_DEADLINE_MS", problems),
            circuitFailures: positive(env, "CIRCUIT_FAILURES", problems),
            circuitOpenMs: positive(env, "CIRCUIT_OPEN_MS", problems),
        },
        backup: { bindings, prefix: String(env.KV_BACKUP_PREFIX ?? ""), retentionDays: positive(env, "KV_BACKUP_RETENTION_DAYS", problems) },
    };
    return problems.length === 0 ? { settings, problems } : { problems };
}
