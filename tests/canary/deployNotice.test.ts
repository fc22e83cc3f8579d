/** `npm run deploy-notice` against stand-ins for Grafana's annotations API and a Slack incoming webhook on 127.0.0.1. */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { runToolAsync } from "../helpers/cli";

interface Received {
    path: string;
    authorization: string | undefined;
    body: Record<string, unknown>;
}

/** Answers `status` to every request and keeps what it received. */
function stub(status: number): { server: Server; received: Received[]; url: () => string } {
    const received: Received[] = [];
    const server = createServer((req: IncomingMessage, res) => {
        let raw = "";
        req.on("data", (c: Buffer) => (raw += c.toString()));
        req.on("end", () => {
            received.push({
                path: req.url ?? "",
                authorization: req.headers.authorization,
                body: JSON.parse(raw) as Record<string, unknown>,
            });
            res.writeHead(status, { "content-type": "application/json" }).end(
                status < 300 ? '{"message":"Annotation added","id":1}' : "boom",
            );
        });
    });
    return { server, received, url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const grafana = stub(200);
const slack = stub(200);
const brokenSlack = stub(500);
beforeAll(async () => {
    for (const s of [grafana, slack, brokenSlack]) await new Promise<void>((resolve) => s.server.listen(0, "127.0.0.1", resolve));
});
afterAll(async () => {
    for (const s of [grafana, slack, brokenSlack]) await new Promise((resolve) => s.server.close(resolve));
});

const env = () => ({
    GRAFANA_BASE_URL: grafana.url(),
    GRAFANA_TOKEN: "glsa_test",
    SLACK_WEBHOOK_URL: `${slack.url()}/services/T000/B000/secretpart`,
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_REPOSITORY: "example-org/ops-platform",
    GITHUB_RUN_ID: "42",
});

it("annotates Grafana (tagged deploy and the stack) and tells Slack, with the version and the run", async () => {
    const result = await runToolAsync(
        "deployNotice",
        ["production", "--outcome", "rolled-back", "--version", "v-9", "--details", "canary p95 160 ms above 150 ms"],
        env(),
    );
    expect(result.status).toBe(0);
    const text =
        "⏪ production: gateway v-9 rolled-back: canary p95 160 ms above 150 ms. https://github.com/example-org/ops-platform/actions/runs/42";
    expect(grafana.received).toEqual([
        {
            path: "/api/annotations",
            authorization: "Bearer glsa_test",
            body: { time: expect.any(Number), tags: ["deploy", "production", "rolled-back"], text },
        },
    ]);
    expect(slack.received).toEqual([{ path: "/services/T000/B000/secretpart", authorization: undefined, body: { text } }]);
});

it("fails, saying which notice was not sent and never the webhook's secret, when Slack refuses; Grafana is still told", async () => {
    const before = grafana.received.length;
    const result = await runToolAsync("deployNotice", ["staging", "--outcome", "deployed"], {
        ...env(),
        SLACK_WEBHOOK_URL: `${brokenSlack.url()}/services/T000/B000/secretpart`,
    });
    expect(result.status).toBe(3);
    expect(result.stderr).toContain("staging: the deploy notice was not sent: Slack message: 500");
    expect(result.stderr).not.toContain("secretpart");
    expect(grafana.received.length).toBe(before + 1);
});

it.each([
    ["no outcome", ["dev"], {}, "--outcome: expected one of deployed, rolled-back, held, failed"],
    [
        "no tokens",
        ["dev", "--outcome", "held"],
        { GRAFANA_TOKEN: undefined, SLACK_WEBHOOK_URL: undefined },
        "GRAFANA_TOKEN and SLACK_WEBHOOK_URL not set",
    ],
])("refuses %s with exit 2", async (_name, args, overrides, message) => {
    const result = await runToolAsync("deployNotice", args, { ...env(), ...overrides });
    expect([result.status, result.stderr]).toEqual([2, expect.stringContaining(message)]);
});
