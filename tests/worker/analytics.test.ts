import { dataPoints, record, type RequestSummary } from "../../workers/gateway/src/analytics";

const failedOver: RequestSummary = {
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
        { indexes: ["request"], blobs: ["request", "2xx", "MISS", "anthropic"], doubles: [930, 900] },
        { indexes: ["attempt"], blobs: ["attempt", "openai", "failed"], doubles: [500] },
        { indexes: ["attempt"], blobs: ["attempt", "anthropic", "ok"], doubles: [400] },
    ]);
    expect(dataPoints({ status: 401, cache: "NONE", durationMs: 3, attempts: [] })).toEqual([
        { indexes: ["request"], blobs: ["request", "4xx", "NONE", "none"], doubles: [3, 0] },
    ]);
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
