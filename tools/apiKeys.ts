/**
 * `npm run keys -- <command> <stack> ...`: the gateway's client keys, kept in the stack's STATE
 * KV namespace as `apikey:<sha256 of the key>` (workers/gateway/src/clientKeys.ts), with the
 * limits the gateway enforces (workers/gateway/src/clientKeyRecord.ts).
 *
 *   add <stack> <client> [limits]     makes a key, stores only its hash, prints the key once on stdout
 *   limit <stack> <client> [limits]   sets limits on every key of the client
 *   rotate <stack> <client> [--overlap 24h]
 *                                     a new key with the client's limits; the old keys expire after the overlap
 *   list <stack>                      clients, key hashes (never keys), expiry and limits
 *   usage <stack> [--month YYYY-MM]   each client's tokens and cost this month against its budget (Analytics Engine)
 *   revoke <stack> <client>           deletes every key of the client (effective within 60 s)
 *
 * Needs CLOUDFLARE_API_TOKEN (Workers KV Storage Edit; Account Analytics Read for usage). The
 * account comes from Pulumi.<stack>.yaml; the namespace and dataset from `pulumi stack output
 * edge`, or --namespace-id and --dataset.
 */
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { ConfigError } from "../config/load";
import { KEY_PREFIX, budgetMonth, keyRecordName, recordProblems, type ClientRecord } from "../workers/gateway/src/clientKeyRecord";
import { column } from "../workers/gateway/src/analyticsColumns";
import { AnalyticsSqlError, querySql } from "./analyticsSql";
import { readStackFile } from "./plan/stackFile";
import { EXIT_INTERNAL, EXIT_USAGE, UsageError, parseArgs, positiveFlag, wantsHelp } from "./plan/cli";

const LIMIT_FLAGS =
    "[--burst N] [--max-requests N] [--window-ms N] [--tokens-per-minute N] [--monthly-tokens N] [--monthly-usd X] [--models a,b] [--expires <ISO date|30d|12h>]";
const USAGE = `usage:
  npm run keys -- add <stack> <client> ${LIMIT_FLAGS}
  npm run keys -- limit <stack> <client> ${LIMIT_FLAGS}
  npm run keys -- rotate <stack> <client> [--overlap 24h]
  npm run keys -- list <stack>
  npm run keys -- usage <stack> [--month YYYY-MM] [--dataset NAME]
  npm run keys -- revoke <stack> <client>
every command takes --namespace-id ID (else \`pulumi stack output edge\`)
env: CLOUDFLARE_API_TOKEN (Workers KV Storage Edit; Account Analytics Read for usage); CLOUDFLARE_API_BASE_URL to use another API endpoint`;

interface Target {
    api: string;
    token: string;
    accountId: string;
    namespaceId: string;
}

interface ListedKey {
    name: string;
    metadata?: { client?: string; createdAt?: string; expiresAt?: string };
}

class ApiError extends Error {}

interface ApiPayload<T> {
    success?: boolean;
    result: T;
    result_info?: { cursor?: string };
    errors?: Array<{ message: string }>;
}

/** A path of the stack's STATE namespace in the KV REST API. */
const namespaceUrl = (target: Target, path: string) =>
    `${target.api}/accounts/${target.accountId}/storage/kv/namespaces/${target.namespaceId}${path}`;

async function call<T = unknown>(target: Target, method: string, path: string, body?: FormData): Promise<ApiPayload<T>> {
    const url = namespaceUrl(target, path);
    const response = await fetch(url, { method, headers: { authorization: `Bearer ${target.token}` }, ...(body ? { body } : {}) });
    const payload = (await response.json().catch(() => null)) as ApiPayload<T> | null;
    if (!response.ok || !payload?.success)
        throw new ApiError(
            `Cloudflare API ${method} ${path.split("?")[0]}: ${response.status} ${payload?.errors?.map((e) => e.message).join("; ") ?? ""}`.trim(),
        );
    return payload;
}

/** A key's stored record (KV's value endpoint answers the raw value). */
async function readRecord(target: Target, name: string): Promise<ClientRecord> {
    const path = `/values/${encodeURIComponent(name)}`;
    const response = await fetch(namespaceUrl(target, path), {
        headers: { authorization: `Bearer ${target.token}` },
    });
    if (!response.ok) throw new ApiError(`Cloudflare API GET /values: ${response.status}`);
    const record = (await response.json().catch(() => null)) as unknown;
    const problems = recordProblems(record);
    if (problems.length > 0)
        throw new ApiError(`the record ${name.slice(0, KEY_PREFIX.length + 12)}... is malformed: ${problems.join("; ")}`);
    return record as ClientRecord;
}

async function writeRecord(target: Target, name: string, record: ClientRecord, createdAt: string): Promise<void> {
    const problems = recordProblems(record);
    if (problems.length > 0) throw new UsageError(`the limits make a record the gateway would refuse: ${problems.join("; ")}`);
    const form = new FormData();
    form.set("value", JSON.stringify(record));
    form.set(
        "metadata",
        JSON.stringify({ client: record.client, createdAt, ...(record.expiresAt ? { expiresAt: record.expiresAt } : {}) }),
    );
    await call(target, "PUT", `/values/${encodeURIComponent(name)}`, form);
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

/** `pulumi stack output edge`, read once, for what a flag did not give. */
function edgeOutput(stack: string): { kvNamespaceIds?: { STATE?: string }; analyticsDataset?: string } {
    try {
        return JSON.parse(
            execFileSync("pulumi", ["stack", "output", "edge", "--json", "--stack", stack], {
                encoding: "utf8",
                stdio: ["ignore", "pipe", "pipe"],
            }),
        ) as { kvNamespaceIds?: { STATE?: string }; analyticsDataset?: string };
    } catch (error) {
        throw new UsageError(
            `${stack}: could not read \`pulumi stack output edge\` (${(error as Error).message.split("\n")[0]}); pass --namespace-id (and --dataset for usage)`,
        );
    }
}

function resolveTarget(stack: string, flags: Record<string, string>, needsDataset: boolean): Target & { dataset?: string } {
    const token = process.env["CLOUDFLARE_API_TOKEN"];
    if (!token) throw new UsageError("CLOUDFLARE_API_TOKEN is not set: create a token with Workers KV Storage Edit on the stack's account");
    const file = readStackFile(stack);
    const cloudflare = file.config["ops-platform:cloudflare"];
    const accountId = cloudflare ? (JSON.parse(cloudflare) as { accountId?: string }).accountId : undefined;
    if (!accountId) throw new UsageError(`${stack}: ops-platform:cloudflare.accountId is not set in Pulumi.${stack}.yaml`);
    let output: ReturnType<typeof edgeOutput> | undefined;
    const edge = () => (output ??= edgeOutput(stack));
    const namespaceId = flags["namespace-id"] ?? edge().kvNamespaceIds?.STATE;
    if (!namespaceId) throw new UsageError(`${stack}: the stack's edge output has no kvNamespaceIds.STATE; pass --namespace-id`);
    const dataset = needsDataset ? (flags["dataset"] ?? edge().analyticsDataset) : undefined;
    if (needsDataset && !dataset) throw new UsageError(`${stack}: the stack's edge output has no analyticsDataset; pass --dataset`);
    return {
        api: (process.env["CLOUDFLARE_API_BASE_URL"] ?? "https://api.cloudflare.com/client/v4").replace(/\/$/, ""),
        token,
        accountId,
        namespaceId,
        ...(dataset ? { dataset } : {}),
    };
}

/** `30d`, `12h`, `90m` from now, or an ISO 8601 instant: when a key expires. */
function instantFlag(flags: Record<string, string>, name: string, now: number): string | undefined {
    const value = flags[name];
    if (value === undefined) return undefined;
    const relative = durationMs(value);
    if (relative !== undefined) return new Date(now + relative).toISOString();
    if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(Date.parse(value)))
        throw new UsageError(
            `--${name}: expected an ISO 8601 date and time or a duration such as 30d, 12h or 90m, got ${JSON.stringify(value)}`,
        );
    return new Date(value).toISOString();
}

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000 } as const;

/** `30d`, `12h`, `90m` in milliseconds; undefined when `value` is not such a duration. */
function durationMs(value: string): number | undefined {
    const match = /^(\d+)([dhm])$/.exec(value);
    return match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : undefined;
}

function durationFlag(flags: Record<string, string>, name: string, fallback: string): number {
    const value = flags[name] ?? fallback;
    const ms = durationMs(value);
    if (!ms) throw new UsageError(`--${name}: expected a duration such as 24h, 2d or 30m, got ${JSON.stringify(value)}`);
    return ms;
}

function positiveAmountFlag(flags: Record<string, string>, name: string): number | undefined {
    if (flags[name] === undefined) return undefined;
    const value = Number(flags[name]);
    if (!Number.isFinite(value) || value <= 0)
        throw new UsageError(`--${name}: expected a positive amount, got ${JSON.stringify(flags[name])}`);
    return value;
}

/** The limits the flags set: only those given, so `limit` changes nothing else. */
function limitsFromFlags(flags: Record<string, string>, now: number): Omit<ClientRecord, "client"> {
    const rateLimit = Object.fromEntries(
        Object.entries({
            burst: positiveFlag(flags, "burst"),
            maxRequests: positiveFlag(flags, "max-requests"),
            windowMs: positiveFlag(flags, "window-ms"),
        }).filter(([, v]) => v !== undefined),
    );
    const monthlyBudget = Object.fromEntries(
        Object.entries({ tokens: positiveFlag(flags, "monthly-tokens"), usd: positiveAmountFlag(flags, "monthly-usd") }).filter(
            ([, v]) => v !== undefined,
        ),
    );
    const tokensPerMinute = positiveFlag(flags, "tokens-per-minute");
    const models = flags["models"]
        ?.split(",")
        .map((m) => m.trim())
        .filter(Boolean);
    if (models !== undefined && models.length === 0) throw new UsageError("--models: expected model names separated by commas");
    const expiresAt = instantFlag(flags, "expires", now);
    return {
        ...(Object.keys(rateLimit).length > 0 ? { rateLimit } : {}),
        ...(tokensPerMinute !== undefined ? { tokensPerMinute } : {}),
        ...(Object.keys(monthlyBudget).length > 0 ? { monthlyBudget } : {}),
        ...(models ? { models } : {}),
        ...(expiresAt ? { expiresAt } : {}),
    };
}

/** `record` with `limits` on top, field by field: `--burst` keeps the record's maxRequests, `--monthly-usd` its token budget. */
function withLimits(record: ClientRecord, limits: Omit<ClientRecord, "client">): ClientRecord {
    const merged: ClientRecord = { ...record, ...limits };
    if (record.rateLimit || limits.rateLimit) merged.rateLimit = { ...record.rateLimit, ...limits.rateLimit };
    if (record.monthlyBudget || limits.monthlyBudget) merged.monthlyBudget = { ...record.monthlyBudget, ...limits.monthlyBudget };
    return merged;
}

/** The limits a record sets, in a line. */
function describeLimits(r: ClientRecord): string {
    return (
        [
            r.rateLimit ? `requests ${JSON.stringify(r.rateLimit)}` : "",
            r.tokensPerMinute ? `${r.tokensPerMinute} tokens/min` : "",
            r.monthlyBudget?.tokens ? `${r.monthlyBudget.tokens} tokens/month` : "",
            r.monthlyBudget?.usd ? `$${r.monthlyBudget.usd}/month` : "",
            r.models ? `models ${r.models.join(",")}` : "",
        ]
            .filter(Boolean)
            .join("; ") || "stack defaults"
    );
}

const newKey = () => `gw-${randomBytes(32).toString("base64url")}`;
const hashOf = (key: string) => createHash("sha256").update(key).digest("hex");
const shortName = (name: string) => `${name.slice(KEY_PREFIX.length, KEY_PREFIX.length + 12)}...`;

/** Each client's tokens and cost since the month began, from the gateway's usage points. */
async function monthUsage(target: Target & { dataset?: string }, month: string): Promise<Map<string, { tokens: number; usd: number }>> {
    const c = (name: Parameters<typeof column<"usage">>[1]) => column("usage", name);
    const [year, m] = month.split("-").map(Number) as [number, number];
    const end = new Date(Date.UTC(year, m, 1)).toISOString().slice(0, 19).replace("T", " ");
    const sql = `SELECT ${c("client")} AS client, SUM(_sample_interval * (${c("promptTokens")} + ${c("completionTokens")})) AS tokens, SUM(_sample_interval * ${c("costUsd")}) AS usd FROM ${target.dataset} WHERE ${c("kind")} = 'usage' AND timestamp >= toDateTime('${month}-01 00:00:00') AND timestamp < toDateTime('${end}') GROUP BY client FORMAT JSON`;
    const rows = await querySql(target, sql);
    return new Map(rows.map((r) => [String(r["client"]), { tokens: Number(r["tokens"]), usd: Number(r["usd"]) }]));
}

async function main(argv: string[]): Promise<void> {
    if (wantsHelp(argv)) return void process.stdout.write(`${USAGE}\n`);
    const { positional, flags } = parseArgs(argv, [
        "burst",
        "max-requests",
        "window-ms",
        "tokens-per-minute",
        "monthly-tokens",
        "monthly-usd",
        "models",
        "expires",
        "overlap",
        "month",
        "dataset",
        "namespace-id",
    ]);
    const [command, stack, client] = positional;
    const expected = { add: 3, limit: 3, rotate: 3, list: 2, usage: 2, revoke: 3 }[command ?? ""];
    if (!expected || positional.length !== expected) throw new UsageError(USAGE);
    if (client !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(client))
        throw new UsageError(`client ${JSON.stringify(client)}: expected up to 64 letters, digits, dots, dashes or underscores`);
    const now = Date.now();
    const limits = limitsFromFlags(flags, now);
    const overlapMs = command === "rotate" ? durationFlag(flags, "overlap", "24h") : 0;
    const month = flags["month"] ?? budgetMonth(now);
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new UsageError(`--month: expected YYYY-MM, got ${JSON.stringify(month)}`);
    if (command === "limit" && Object.keys(limits).length === 0) throw new UsageError(`limit: name at least one limit: ${LIMIT_FLAGS}`);
    const target = resolveTarget(stack!, flags, command === "usage");
    const createdAt = new Date(now).toISOString();

    if (command === "add") {
        const key = newKey();
        const name = keyRecordName(hashOf(key));
        await writeRecord(target, name, { client: client!, ...limits }, createdAt);
        process.stderr.write(`${stack}: key for ${client} stored as ${KEY_PREFIX}${shortName(name)}; it is shown once, below:\n`);
        process.stdout.write(`${key}\n`);
        return;
    }
    const keys = await listKeys(target);
    if (command === "list") {
        for (const k of keys) {
            const record = await readRecord(target, k.name);
            process.stdout.write(
                `${k.metadata?.client ?? "(unknown client)"}\t${shortName(k.name)}\t${k.metadata?.createdAt ?? ""}\t${record.expiresAt ? `expires ${record.expiresAt}` : "no expiry"}\t${describeLimits(record)}\n`,
            );
        }
        return;
    }
    if (command === "usage") {
        const used = await monthUsage(target, month);
        const budgets = new Map<string, ClientRecord>();
        for (const k of keys) budgets.set(k.metadata?.client ?? "", await readRecord(target, k.name));
        const clients = [...new Set([...budgets.keys(), ...used.keys()])].filter(Boolean).sort();
        process.stdout.write(`client\ttokens\tcost (USD)\tbudget\t(${month}, from Analytics Engine; sampled at high volume)\n`);
        for (const name of clients) {
            const u = used.get(name) ?? { tokens: 0, usd: 0 };
            const b = budgets.get(name)?.monthlyBudget;
            const share = [
                b?.tokens ? `${((u.tokens / b.tokens) * 100).toFixed(0)}% of ${b.tokens} tokens` : "",
                b?.usd ? `${((u.usd / b.usd) * 100).toFixed(0)}% of $${b.usd}` : "",
            ].filter(Boolean);
            process.stdout.write(`${name}\t${Math.round(u.tokens)}\t${u.usd.toFixed(4)}\t${share.join(", ") || "none"}\n`);
        }
        return;
    }
    const mine = keys.filter((k) => k.metadata?.client === client);
    if (mine.length === 0)
        throw new UsageError(`${stack}: no key of client ${client}; \`npm run keys -- list ${stack}\` shows the clients`);
    if (command === "limit") {
        for (const k of mine) {
            const record = withLimits(await readRecord(target, k.name), limits);
            await writeRecord(target, k.name, record, k.metadata?.createdAt ?? createdAt);
            process.stderr.write(`${stack}: ${client}'s key ${shortName(k.name)} now: ${describeLimits(record)}\n`);
        }
        process.stderr.write(`${stack}: the gateway applies it within 60 s\n`);
        return;
    }
    if (command === "rotate") {
        const newest = [...mine].sort((a, b) => (b.metadata?.createdAt ?? "").localeCompare(a.metadata?.createdAt ?? ""))[0]!;
        // The new key carries the client's limits, its expiry included; the overlap ends only the old keys.
        const key = newKey();
        await writeRecord(target, keyRecordName(hashOf(key)), withLimits(await readRecord(target, newest.name), limits), createdAt);
        const overlapEnds = new Date(now + overlapMs).toISOString();
        for (const k of mine) {
            const record = await readRecord(target, k.name);
            // An old key already expiring sooner keeps its earlier end.
            const expiresAt = record.expiresAt && record.expiresAt < overlapEnds ? record.expiresAt : overlapEnds;
            await writeRecord(target, k.name, { ...record, expiresAt }, k.metadata?.createdAt ?? createdAt);
        }
        process.stderr.write(
            `${stack}: new key for ${client}; its ${mine.length} old key(s) work until ${overlapEnds}, then answer 401. The new key is shown once, below:\n`,
        );
        process.stdout.write(`${key}\n`);
        return;
    }
    for (const k of mine) await call(target, "DELETE", `/values/${encodeURIComponent(k.name)}`);
    process.stderr.write(`${stack}: revoked ${mine.length} key(s) of ${client}; the gateway refuses them within 60 s (KV's edge cache)\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
    const known =
        error instanceof UsageError || error instanceof ApiError || error instanceof ConfigError || error instanceof AnalyticsSqlError;
    process.stderr.write(`${known ? "" : "internal error: "}${(error as Error).message}\n`);
    process.exit(known ? EXIT_USAGE : EXIT_INTERNAL);
});
