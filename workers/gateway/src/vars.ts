/**
 * The gateway's plain-text vars: the one list of their names. The program binds every one
 * (components/edge/workerVars.ts returns exactly these keys), settings.ts reads them, and tests
 * override them by these names, so a var added, renamed or dropped fails the type-check
 * wherever it is missed. Each provider adds `<prefix>_URL` and `<prefix>_MODEL` (catalogue.ts).
 */
import type { ProviderKeyBinding, ProviderVar } from "./providers/catalogue";

/**
 * Each var's kind: settings.ts refuses a "positive" one that is not a number above 0 and a
 * "count" that is not a whole number from 0; a "list" is comma-separated.
 */
export const GATEWAY_VARS = {
    ENVIRONMENT: "text",
    VERSION: "text",
    ORIGIN_URL: "text",
    CACHE_SIZE: "positive",
    CACHE_TTL_MS: "positive",
    CACHE_CLEANUP_INTERVAL_MS: "positive",
    RATE_LIMIT_MAX_REQUESTS: "positive",
    RATE_LIMIT_WINDOW_MS: "positive",
    RATE_LIMIT_BURST: "positive",
    RATE_LIMIT_TIMEOUT_MS: "positive",
    RATE_LIMIT_ON_FAILURE: "text",
    CONCURRENCY_MAX: "positive",
    CONCURRENCY_MIN: "positive",
    PROVIDER_ORDER: "list",
    PROVIDER_TIMEOUT_MS: "positive",
    REQUEST_DEADLINE_MS: "positive",
    PROVIDER_RETRIES: "count",
    PROVIDER_RETRY_BACKOFF_MS: "positive",
    CIRCUIT_FAILURES: "positive",
    CIRCUIT_OPEN_MS: "positive",
    KV_BACKUP_BINDINGS: "list",
    KV_BACKUP_PREFIX: "text",
    KV_BACKUP_RETENTION_DAYS: "positive",
} as const satisfies Record<string, "text" | "positive" | "count" | "list">;

export type GatewayVar = keyof typeof GATEWAY_VARS | ProviderVar;
/** Every var the program binds, by name. */
export type GatewayVars = Record<GatewayVar, string>;
/** The secrets: our key for each provider. */
export type GatewaySecret = ProviderKeyBinding;

/** The Worker's version metadata binding (`{type: "version_metadata"}`): its `id` is the Cloudflare version serving the request. */
export const VERSION_METADATA_BINDING = "CF_VERSION_METADATA";
