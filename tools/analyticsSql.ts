/**
 * The Workers Analytics Engine SQL API, as `npm run keys -- usage` and `npm run canary` read the
 * gateway's data points: `POST /accounts/<id>/analytics_engine/sql` with the SQL as the body and
 * a token with Account Analytics Read; the answer is `{ meta, data, rows }` (docs/provider-rules.md).
 * Counts come back as strings (ClickHouse quotes 64-bit integers), so every value is read as a number here.
 */

export class AnalyticsSqlError extends Error {}

export interface SqlTarget {
    /** The Cloudflare API base, e.g. https://api.cloudflare.com/client/v4. */
    api: string;
    token: string;
    accountId: string;
}

/** Each row of the query's answer, its numeric-looking values as numbers. */
export async function querySql(target: SqlTarget, sql: string, timeoutMs = 10_000): Promise<Array<Record<string, string | number>>> {
    let response: Response;
    try {
        response = await fetch(`${target.api}/accounts/${target.accountId}/analytics_engine/sql`, {
            method: "POST",
            headers: { authorization: `Bearer ${target.token}`, "content-type": "text/plain" },
            body: sql,
            signal: AbortSignal.timeout(timeoutMs),
        });
    } catch (error) {
        throw new AnalyticsSqlError(`the Analytics Engine SQL API did not answer: ${(error as Error).message}`);
    }
    const text = await response.text();
    if (!response.ok) throw new AnalyticsSqlError(`the Analytics Engine SQL API answered ${response.status}: ${text.slice(0, 200)}`);
    let body: { data?: unknown };
    try {
        body = JSON.parse(text) as { data?: unknown };
    } catch {
        throw new AnalyticsSqlError(`the Analytics Engine SQL API answered 200 with a body that is not JSON: ${text.slice(0, 200)}`);
    }
    if (!Array.isArray(body.data)) throw new AnalyticsSqlError("the Analytics Engine SQL API answered without a data array");
    return (body.data as Array<Record<string, unknown>>).map((row) =>
        Object.fromEntries(
            Object.entries(row).map(([k, v]) => [
                k,
                typeof v === "number" || (typeof v === "string" && v !== "" && Number.isFinite(Number(v))) ? Number(v) : String(v),
            ]),
        ),
    );
}

/** A SQL string literal: the only quoting the queries need (client names and version ids are checked before). */
export const sqlString = (value: string): string => `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
