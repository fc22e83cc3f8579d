/**
 * `npm run keys -- <add|list|revoke> <stack> ...`: the gateway's client keys, kept in the
 * stack's STATE KV namespace as `apikey:<sha256 of the key>` (workers/gateway/src/clientKeys.ts).
 *
 *   add <stack> <client> [--burst N] [--max-requests N] [--window-ms N]
 *       makes a key, stores only its hash, prints the key once on stdout
 *   list <stack>               clients and their key hashes (never keys)
 *   revoke <stack> <client>    deletes every key of the client (effective within 60 s)
 *
 * Needs CLOUDFLARE_API_TOKEN (Workers KV Storage Edit). The account comes from
 * Pulumi.<stack>.yaml; the namespace from `pulumi stack output edge`, or --namespace-id.
 */
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { ConfigError } from "../config/load";
import { KEY_PREFIX, keyRecordName, type ClientRecord } from "../workers/gateway/src/clientKeyRecord";
import { readStackFile } from "./plan/stackFile";
import { EXIT_INTERNAL, EXIT_USAGE, UsageError, parseArgs, positiveFlag, wantsHelp } from "./plan/cli";

const USAGE = `usage:
  npm run keys -- add <stack> <client> [--burst N] [--max-requests N] [--window-ms N] [--namespace-id ID]
  npm run keys -- list <stack> [--namespace-id ID]
  npm run keys -- revoke <stack> <client> [--namespace-id ID]
env: CLOUDFLARE_API_TOKEN (Workers KV Storage Edit); CLOUDFLARE_API_BASE_URL to use another API endpoint`;

interface Target {
    api: string;
    token: string;
    accountId: string;
    namespaceId: string;
}

interface ListedKey {
    name: string;
    metadata?: { client?: string; createdAt?: string };
}

class ApiError extends Error {}

interface ApiPayload<T> {
    success?: boolean;
    result: T;
    result_info?: { cursor?: string };
    errors?: Array<{ message: string }>;
}

async function call<T = unknown>(target: Target, method: string, path: string, body?: FormData): Promise<ApiPayload<T>> {
    const url = `${target.api}/accounts/${target.accountId}/storage/kv/namespaces/${target.namespaceId}${path}`;
    const response = await fetch(url, { method, headers: { authorization: `Bearer ${target.token}` }, ...(body ? { body } : {}) });
    const payload = (await response.json().catch(() => null)) as ApiPayload<T> | null;
    if (!response.ok || !payload?.success)
        throw new ApiError(
            `Cloudflare API ${method} ${path.split("?")[0]}: ${response.status} ${payload?.errors?.map((e) => e.message).join("; ") ?? ""}`.trim(),
        );
    return payload;
}

async function listKeys(target: Target): Promise<ListedKey[]> {
    const keys: ListedKey[] = [];
    let cursor = "";
    do {
        const page = await call<ListedKey[]>(
            target,
            "GET",
            `/keys?prefix=${encodeURIComponent(KEY_PREFIX)}&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        );
        keys.push(...page.result);
        cursor = page.result_info?.cursor ?? "";
    } while (cursor);
    return keys;
}

function resolveTarget(stack: string, flags: Record<string, string>): Target {
    const token = process.env["CLOUDFLARE_API_TOKEN"];
    if (!token) throw new UsageError("CLOUDFLARE_API_TOKEN is not set: create a token with Workers KV Storage Edit on the stack's account");
    const file = readStackFile(stack);
    const cloudflare = file.config["ops-platform:cloudflare"];
    const accountId = cloudflare ? (JSON.parse(cloudflare) as { accountId?: string }).accountId : undefined;
    if (!accountId) throw new UsageError(`${stack}: ops-platform:cloudflare.accountId is not set in Pulumi.${stack}.yaml`);
    let namespaceId = flags["namespace-id"];
    if (!namespaceId) {
        try {
            const edge = JSON.parse(
                execFileSync("pulumi", ["stack", "output", "edge", "--json", "--stack", stack], {
                    encoding: "utf8",
                    stdio: ["ignore", "pipe", "pipe"],
                }),
            ) as { kvNamespaceIds?: { STATE?: string } };
            namespaceId = edge.kvNamespaceIds?.STATE;
        } catch (error) {
            throw new UsageError(
                `${stack}: could not read the STATE namespace id from \`pulumi stack output edge\` (${(error as Error).message.split("\n")[0]}); pass --namespace-id`,
            );
        }
        if (!namespaceId) throw new UsageError(`${stack}: the stack's edge output has no kvNamespaceIds.STATE; pass --namespace-id`);
    }
    return {
        api: (process.env["CLOUDFLARE_API_BASE_URL"] ?? "https://api.cloudflare.com/client/v4").replace(/\/$/, ""),
        token,
        accountId,
        namespaceId,
    };
}

async function main(argv: string[]): Promise<void> {
    if (wantsHelp(argv)) return void process.stdout.write(`${USAGE}\n`);
    const { positional, flags } = parseArgs(argv, ["burst", "max-requests", "window-ms", "namespace-id"]);
    const [command, stack, client] = positional;
    const expected = { add: 3, list: 2, revoke: 3 }[command ?? ""];
    if (!expected || positional.length !== expected) throw new UsageError(USAGE);
    if (client !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(client))
        throw new UsageError(`client ${JSON.stringify(client)}: expected up to 64 letters, digits, dots, dashes or underscores`);
    const rateLimit = Object.fromEntries(
        Object.entries({
            burst: positiveFlag(flags, "burst"),
            maxRequests: positiveFlag(flags, "max-requests"),
            windowMs: positiveFlag(flags, "window-ms"),
        }).filter(([, v]) => v !== undefined),
    );
    const target = resolveTarget(stack!, flags);

    if (command === "add") {
        const key = `gw-${randomBytes(32).toString("base64url")}`;
        const hash = createHash("sha256").update(key).digest("hex");
        const form = new FormData();
        const record: ClientRecord = { client: client!, ...(Object.keys(rateLimit).length > 0 ? { rateLimit } : {}) };
        form.set("value", JSON.stringify(record));
        form.set("metadata", JSON.stringify({ client, createdAt: new Date().toISOString() }));
        await call(target, "PUT", `/values/${encodeURIComponent(keyRecordName(hash))}`, form);
        process.stderr.write(`${stack}: key for ${client} stored as ${keyRecordName(hash.slice(0, 12))}...; it is shown once, below:\n`);
        process.stdout.write(`${key}\n`);
        return;
    }
    const keys = await listKeys(target);
    if (command === "list") {
        for (const k of keys)
            process.stdout.write(
                `${k.metadata?.client ?? "(unknown client)"}\t${k.name.slice(KEY_PREFIX.length, KEY_PREFIX.length + 12)}...\t${k.metadata?.createdAt ?? ""}\n`,
            );
        return;
    }
    const mine = keys.filter((k) => k.metadata?.client === client);
    if (mine.length === 0)
        throw new UsageError(`${stack}: no key of client ${client}; \`npm run keys -- list ${stack}\` shows the clients`);
    for (const k of mine) await call(target, "DELETE", `/values/${encodeURIComponent(k.name)}`);
    process.stderr.write(`${stack}: revoked ${mine.length} key(s) of ${client}; the gateway refuses them within 60 s (KV's edge cache)\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
    const known = error instanceof UsageError || error instanceof ApiError || error instanceof ConfigError;
    process.stderr.write(`${known ? "" : "internal error: "}${(error as Error).message}\n`);
    process.exit(known ? EXIT_USAGE : EXIT_INTERNAL);
});
