/**
 * Client keys: `Authorization: Bearer <key>`, looked up in the STATE namespace under
 * `apikey:<lowercase hex SHA-256 of the key>`. Only the hash is stored; the record names the
 * client and its limits (clientKeyRecord.ts). `npm run keys` adds, limits, rotates and revokes them.
 */
import { keyRecordName, recordProblems, type ClientRecord } from "./clientKeyRecord";
import { DEPENDENCY_TIMEOUT_MS, withTimeout } from "./timeouts";

export type { ClientRecord };

/** KV edge-caches a key's record this long (KV's minimum is 30 s); a revoked key stops within it. */
const KEY_CACHE_TTL_SECONDS = 60;
const MAX_KEY_LENGTH = 256;

export async function sha256Hex(text: string): Promise<string> {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The client a request's key belongs to, or why there is none (the message a client sees). */
export async function authenticate(request: Request, state: KVNamespace): Promise<ClientRecord | string> {
    const header = request.headers.get("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) return "send your gateway key as Authorization: Bearer <key>";
    const key = match[1]!;
    if (key.length > MAX_KEY_LENGTH) return "invalid API key";
    // A key store that does not answer fails the request (500, counted), never hangs it.
    const record = await withTimeout(
        state.get(keyRecordName(await sha256Hex(key)), { type: "json", cacheTtl: KEY_CACHE_TTL_SECONDS }),
        DEPENDENCY_TIMEOUT_MS,
        "the key store (KV)",
    );
    if (record === null) return "invalid API key";
    const problems = recordProblems(record);
    if (problems.length > 0) {
        console.error(`client key record is malformed: ${problems.join("; ")}`);
        return "invalid API key";
    }
    const { expiresAt } = record as ClientRecord;
    if (expiresAt !== undefined && Date.parse(expiresAt) <= Date.now()) return `this key expired at ${new Date(expiresAt).toISOString()}`;
    return record as ClientRecord;
}
