import type { EdgeConfig } from "../../config/schema";
import { PROVIDER_CATALOGUE, PROVIDER_NAMES, providerBindings, type ProviderVar } from "../../workers/gateway/src/providers/catalogue";
import type { GatewayVars } from "../../workers/gateway/src/vars";

/**
 * The gateway's plain-text vars (workers/gateway/src/vars.ts names them) from the edge
 * section: GatewayWorker binds them, and the gateway's tests and benchmark run the Worker with
 * them, so neither copies the schema's defaults.
 */
export function gatewayVars(s: EdgeConfig, where: { environment: string; version: string; originUrl: string }): GatewayVars {
    const endpoints = Object.fromEntries(
        PROVIDER_NAMES.flatMap((name) => {
            const entry = PROVIDER_CATALOGUE[name];
            const bindings = providerBindings(entry);
            return [
                [bindings.url, s.providers[`${entry.configPrefix}Url`]],
                [bindings.model, s.providers[`${entry.configPrefix}Model`]],
            ];
        }),
    ) as Pick<GatewayVars, ProviderVar>;
    return {
        ENVIRONMENT: where.environment,
        VERSION: where.version,
        ORIGIN_URL: where.originUrl,
        CACHE_SIZE: String(s.cache.size),
        CACHE_TTL_MS: String(s.cache.ttlMs),
        CACHE_CLEANUP_INTERVAL_MS: String(s.cache.cleanupIntervalMs),
        RATE_LIMIT_MAX_REQUESTS: String(s.rateLimit.maxRequests),
        RATE_LIMIT_WINDOW_MS: String(s.rateLimit.windowMs),
        RATE_LIMIT_BURST: String(s.rateLimit.burstSize),
        RATE_LIMIT_TIMEOUT_MS: String(s.rateLimit.timeoutMs),
        RATE_LIMIT_ON_FAILURE: s.rateLimit.onFailure,
        CONCURRENCY_MAX: String(s.concurrency.max),
        CONCURRENCY_MIN: String(s.concurrency.min),
        PROVIDER_ORDER: s.providers.order.join(","),
        PROVIDER_TIMEOUT_MS: String(s.providers.timeoutMs),
        REQUEST_DEADLINE_MS: String(s.providers.deadlineMs),
        PROVIDER_RETRIES: String(s.providers.retries),
        PROVIDER_RETRY_BACKOFF_MS: String(s.providers.retryBackoffMs),
        CIRCUIT_FAILURES: String(s.providers.circuitFailures),
        CIRCUIT_OPEN_MS: String(s.providers.circuitOpenMs),
        ...endpoints,
        KV_BACKUP_BINDINGS: s.kvBackup.bindings.join(","),
        KV_BACKUP_PREFIX: s.kvBackup.prefix,
        KV_BACKUP_RETENTION_DAYS: String(s.kvBackup.retentionDays),
    };
}
