import { gatewayAnalyticsModules } from "../../components/monitoring/exporterConfigs";
import { dataPoints, record, type RequestSummary } from "../../workers/gateway/src/analytics";
import { DATA_POINTS, type PointKind } from "../../workers/gateway/src/analyticsColumns";

const failedOver: RequestSummary = {
    version: "v-1",
    status: 200,
    cache: "MISS",
    provider: "anthropic",
    durationMs: 930,
    attempts: [
        { provider: "openai", outcome: "failed", ms: 500 },
        { provider: "anthropic", outcome: "ok", ms: 400 },
    ],
};

it("writes one point per request and one per provider attempt, in the columns the exporter's SQL reads", () => {
    expect(dataPoints(failedOver)).toEqual([
        { indexes: ["request"], blobs: ["request", "2xx", "MISS", "anthropic", "v-1"], doubles: [930, 900] },
        { indexes: ["attempt"], blobs: ["attempt", "openai", "failed", "v-1"], doubles: [500] },
        { indexes: ["attempt"], blobs: ["attempt", "anthropic", "ok", "v-1"], doubles: [400] },
    ]);
    expect(dataPoints({ version: "v-1", status: 401, cache: "NONE", durationMs: 3, attempts: [] })).toEqual([
        { indexes: ["request"], blobs: ["request", "4xx", "NONE", "none", "v-1"], doubles: [3, 0] },
    ]);
});

it("counts a shared answer's wait as the provider's, and its attempts only once, as the first caller's points", () => {
    expect(dataPoints({ ...failedOver, cache: "SHARED", durationMs: 950, sharedWaitMs: 920 })).toEqual([
        { indexes: ["request"], blobs: ["request", "2xx", "SHARED", "anthropic", "v-1"], doubles: [950, 920] },
    ]);
});

it("the exporter's SQL reads each column under the name the Worker writes it by, for the kind of point it selects", () => {
    const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    for (const { sql } of Object.values(gatewayAnalyticsModules("gw", "0 3 * * *"))) {
        const kind = /WHERE blob1 = '(\w+)'/.exec(sql)![1] as PointKind;
        const layout = DATA_POINTS[kind];
        for (const [, column, index, alias] of sql.matchAll(/\b(blob|double)(\d+)\b(?: AS (\w+))?/g)) {
            const names: readonly string[] = column === "blob" ? layout.blobs : layout.doubles;
            const name = names[Number(index) - 1];
            expect([sql, column, index, name !== undefined]).toEqual([sql, column, index, true]);
            // Where the SQL gives a column a label, it is the column's own name.
            if (alias && !alias.startsWith("p")) expect([sql, alias]).toEqual([sql, snake(name!)]);
        }
    }
});

it("never fails the request: a dataset that throws, or none bound, is ignored", () => {
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
    expect(() =>
        record(
            {
                writeDataPoint: () => {
                    throw new Error("quota");
                },
            },
            failedOver,
        ),
    ).not.toThrow();
    expect(() => record(undefined, failedOver)).not.toThrow();
    warn.mockRestore();
});
