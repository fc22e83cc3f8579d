/**
 * The Worker's settings, read from its bindings. Everything ops tune per environment arrives
 * as a plain-text var (vars.ts) set by components/edge from stack config; keys arrive as secrets.
 */
import type { Endpoint } from "./providers/adapter";
import { providerBindings } from "./providers/catalogue";
import type { Adapters } from "./providers/registry";
import { GATEWAY_VARS, type GatewaySecret, type GatewayVar } from "./vars";

export type Env = Record<GatewayVar, string> &
    Partial<Record<GatewaySecret, string>> & {
        CACHE: KVNamespace;
        /** Client keys (clientKeys.ts) and other state that must outlive a cache. */
        STATE: KVNamespace;
        BACKUPS: R2Bucket;
        RATE_LIMITER: DurableObjectNamespace;
        /** Workers Analytics Engine dataset of the gateway's own signals (analytics.ts). */
        ANALYTICS?: AnalyticsEngineDataset;
        /** The version metadata binding (vars.ts VERSION_METADATA_BINDING): which version wrote a data point. */
        CF_VERSION_METADATA?: WorkerVersionMetadata;
        [binding: string]: unknown;
    };

export interface Settings {
    cache: { size: number; ttlMs: number; cleanupIntervalMs: number };
    rateLimit: { maxRequests: number; windowMs: number; burst: number; timeoutMs: number; onFailure: "closed" | "open" };
    concurrency: { max: number; min: number };
    providers: {
        order: string[];
        endpoints: Record<string, Endpoint>;
        timeoutMs: number;
        deadlineMs: number;
        /** Retries of a 5xx or 429 on the same provider before failing over, each after retryBackoffMs doubling. */
        retries: number;
        retryBackoffMs: number;
        circuitFailures: number;
        circuitOpenMs: number;
    };
    backup: { bindings: string[]; prefix: string; retentionDays: number };
}

export interface SettingsResult {
    settings?: Settings;
    /** What is wrong with the bindings: reported by /health, never discovered by a user's request. */
    problems: string[];
    /** The providers among them whose bindings are wrong, and why: /health shows them misconfigured. */
    misconfigured: Record<string, string>;
}

const list = (value: unknown) =>
    String(value ?? "")
        .split(",")
        .map((p) => p.trim())
        .filter(Boolean);

/** The providers PROVIDER_ORDER names, in that order (unknown names included, for /health to report). */
export function providerOrder(env: Env): string[] {
    return list(env.PROVIDER_ORDER);
}

/** What is wrong with a provider's bindings: its key missing, its URL not http(s), its model empty. */
function endpointOf(env: Env, name: string, adapters: Adapters): Endpoint | string[] {
    // Own keys only: PROVIDER_ORDER=constructor must be an unknown provider, not Object's.
    const adapter = Object.hasOwn(adapters, name) ? adapters[name] : undefined;
    if (!adapter) return [`PROVIDER_ORDER names unknown provider "${name}"`];
    const bindings = providerBindings(adapter.entry);
    const [url, model, apiKey] = [env[bindings.url], env[bindings.model], env[bindings.apiKey]];
    const problems: string[] = [];
    if (!apiKey) problems.push(`provider ${name} has no API key binding`);
    let parsed: URL | undefined;
    try {
        parsed = new URL(String(url));
    } catch {
        parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== "https:" && parsed.protocol !== "http:"))
        problems.push(`${bindings.url} must be an http(s) URL, got ${JSON.stringify(url ?? null)}`);
    if (typeof model !== "string" || model.trim() === "")
        problems.push(`${bindings.model} must name a model, got ${JSON.stringify(model ?? null)}`);
    return problems.length === 0 ? { url: String(url), model: String(model), apiKey: String(apiKey) } : problems;
}

export function readSettings(env: Env, adapters: Adapters): SettingsResult {
    const problems: string[] = [];
    const number = (key: keyof typeof GATEWAY_VARS): number => {
        const value = Number(env[key]);
        if (GATEWAY_VARS[key] === "positive" && (!Number.isFinite(value) || value <= 0))
            problems.push(`${key} must be a positive number, got ${JSON.stringify(env[key] ?? null)}`);
        if (GATEWAY_VARS[key] === "count" && (!Number.isInteger(value) || value < 0 || env[key] === ""))
            problems.push(`${key} must be a whole number from 0, got ${JSON.stringify(env[key] ?? null)}`);
        return value;
    };
    const order = providerOrder(env);
    if (order.length === 0) problems.push("PROVIDER_ORDER names no provider");
    const endpoints: Record<string, Endpoint> = {};
    const misconfigured: Record<string, string> = {};
    for (const name of order) {
        const endpoint = endpointOf(env, name, adapters);
        if (!Array.isArray(endpoint)) endpoints[name] = endpoint;
        else {
            problems.push(...endpoint);
            misconfigured[name] = endpoint.join("; ");
        }
    }
    if (env.RATE_LIMIT_ON_FAILURE !== "open" && env.RATE_LIMIT_ON_FAILURE !== "closed")
        problems.push(`RATE_LIMIT_ON_FAILURE is ${JSON.stringify(env.RATE_LIMIT_ON_FAILURE)}; expected open or closed`);
    const bindings = list(env.KV_BACKUP_BINDINGS);
    for (const b of bindings) if (!env[b]) problems.push(`KV_BACKUP_BINDINGS names ${b}, which is not bound`);
    const settings: Settings = {
        cache: { size: number("CACHE_SIZE"), ttlMs: number("CACHE_TTL_MS"), cleanupIntervalMs: number("CACHE_CLEANUP_INTERVAL_MS") },
        rateLimit: {
            maxRequests: number("RATE_LIMIT_MAX_REQUESTS"),
            windowMs: number("RATE_LIMIT_WINDOW_MS"),
            burst: number("RATE_LIMIT_BURST"),
            timeoutMs: number("RATE_LIMIT_TIMEOUT_MS"),
            onFailure: env.RATE_LIMIT_ON_FAILURE === "open" ? "open" : "closed",
        },
        concurrency: { max: number("CONCURRENCY_MAX"), min: number("CONCURRENCY_MIN") },
        providers: {
            order,
            endpoints,
            timeoutMs: number("PROVIDER_TIMEOUT_MS"),
            deadlineMs: number("REQUEST_DEADLINE_MS"),
            retries: number("PROVIDER_RETRIES"),
            retryBackoffMs: number("PROVIDER_RETRY_BACKOFF_MS"),
            circuitFailures: number("CIRCUIT_FAILURES"),
            circuitOpenMs: number("CIRCUIT_OPEN_MS"),
        },
        backup: { bindings, prefix: String(env.KV_BACKUP_PREFIX ?? ""), retentionDays: number("KV_BACKUP_RETENTION_DAYS") },
    };
    return problems.length === 0 ? { settings, problems, misconfigured } : { problems, misconfigured };
}
