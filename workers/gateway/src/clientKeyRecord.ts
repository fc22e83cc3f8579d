/**
 * Where a client key lives and what its record holds: read by the Worker (clientKeys.ts),
 * written by `npm run keys` (tools/apiKeys.ts). Plain TypeScript, so both sides share it.
 */

/** A key is stored only as `apikey:<lowercase hex SHA-256 of the key>` in the STATE namespace. */
export const KEY_PREFIX = "apikey:";

export const keyRecordName = (sha256Hex: string): string => `${KEY_PREFIX}${sha256Hex}`;

/** The record's value: the client, and optionally its own rate limit. */
export interface ClientRecord {
    client: string;
    rateLimit?: { maxRequests?: number; windowMs?: number; burst?: number };
}
