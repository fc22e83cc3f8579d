/**
 * The dead man's switch end to end in workerd (through miniflare): heartbeats as Alertmanager
 * posts them, a fake PagerDuty Events API v2 on 127.0.0.1, and the Durable Object's real alarm.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Miniflare } from "miniflare";
import { HEARTBEAT_ENTRY, bundleWorker } from "../../components/edge/workerBundle";
import { COMPATIBILITY_DATE } from "../../tools/gatewayWorkerd";
import { HEARTBEAT_ARM_CRON, HEARTBEAT_PATH, heartbeatDedupKey, type HeartbeatVar } from "../../workers/heartbeat/src/contract";

const TOKEN = "heartbeat-test-token";
/** Half a second: the var is read as a number of seconds, so the tests need not wait whole seconds. */
const WINDOW_SECONDS = 0.5;
const events: Array<{ at: number; body: Record<string, unknown> }> = [];
const pagerduty = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
        events.push({ at: Date.now(), body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown> });
        res.writeHead(202, { "content-type": "application/json" }).end('{"status":"success"}');
    });
});
let mf: Miniflare;

beforeAll(async () => {
    await new Promise<void>((resolve) => pagerduty.listen(0, "127.0.0.1", resolve));
    const vars: Record<HeartbeatVar, string> = {
        ENVIRONMENT: "test",
        HEARTBEAT_WINDOW_SECONDS: String(WINDOW_SECONDS),
        PAGERDUTY_EVENTS_URL: `http://127.0.0.1:${(pagerduty.address() as AddressInfo).port}/v2/enqueue`,
        PRIORITY: "P2",
        RUNBOOK_URL: "https://runbooks.example.com/monitoring-heartbeat-missing",
        HEARTBEAT_TOKEN: TOKEN,
        PAGERDUTY_ROUTING_KEY: "0123456789abcdef0123456789abcdef",
    };
    mf = new Miniflare({
        modules: [{ type: "ESModule", path: "index.js", contents: bundleWorker(HEARTBEAT_ENTRY).code }],
        compatibilityDate: COMPATIBILITY_DATE,
        durableObjects: { HEARTBEAT: "Heartbeat" },
        bindings: vars,
    });
    await mf.ready;
});

afterAll(async () => {
    await mf.dispose();
    await new Promise((resolve) => pagerduty.close(resolve));
});

const beat = (authorization = `Bearer ${TOKEN}`, path = HEARTBEAT_PATH) =>
    mf.dispatchFetch(`https://heartbeat.test${path}`, {
        method: "POST",
        headers: { authorization },
        body: '{"alerts":[{"labels":{"alertname":"Watchdog"}}]}',
    });
/** Waits (at most 10 s) for the `n`th event PagerDuty received. */
async function nthEvent(n: number): Promise<{ at: number; body: Record<string, unknown> }> {
    for (let waited = 0; events.length < n && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    expect(events.length).toBeGreaterThanOrEqual(n);
    return events[n - 1]!;
}

it("refuses a heartbeat without the token, and anything but POST /beat", async () => {
    expect((await beat("Bearer wrong")).status).toBe(401);
    expect((await beat("")).status).toBe(401);
    expect((await beat(`Bearer ${TOKEN}`, "/other")).status).toBe(404);
    expect(events).toEqual([]);
});

it("a switch that never heard a heartbeat is armed by its cron and pages after its window", async () => {
    // Alertmanager never reached it after the deploy: only the cron runs.
    const worker = await mf.getWorker();
    const armedAt = Date.now();
    expect((await worker.scheduled({ cron: HEARTBEAT_ARM_CRON })).outcome).toBe("ok");
    const trigger = await nthEvent(1);
    expect(trigger.at - armedAt).toBeGreaterThanOrEqual(WINDOW_SECONDS * 1000);
    expect(trigger.body).toMatchObject({ event_action: "trigger", dedup_key: heartbeatDedupKey("test") });
    // A paged switch is not re-armed: no second trigger; the first heartbeat resolves it.
    await worker.scheduled({ cron: HEARTBEAT_ARM_CRON });
    expect(await (await beat()).json()).toEqual({ heartbeat: "resolved" });
    expect((await nthEvent(2)).body).toMatchObject({ event_action: "resolve" });
    events.length = 0;
});

it("the cron never postpones the window of a switch that is already armed", async () => {
    const worker = await mf.getWorker();
    const lastBeat = Date.now();
    await beat();
    // Arming attempts inside the window leave the alarm where the heartbeat put it.
    for (let i = 0; i < 4; i++) {
        await worker.scheduled({ cron: HEARTBEAT_ARM_CRON });
        await new Promise((r) => setTimeout(r, (WINDOW_SECONDS * 1000) / 4));
    }
    // The last attempt came three quarters into the window: had it moved the alarm, the page would come that much later.
    const trigger = await nthEvent(1);
    expect(trigger.at - lastBeat).toBeLessThan(WINDOW_SECONDS * 1000 * 1.5);
    expect(await (await beat()).json()).toEqual({ heartbeat: "resolved" });
    await nthEvent(2);
    events.length = 0;
});

it("pages once the heartbeat stops for its window, and resolves the page when it is back", async () => {
    // Heartbeats inside the window keep it quiet.
    for (let i = 0; i < 3; i++) {
        expect(await (await beat()).json()).toEqual({ heartbeat: "ok" });
        await new Promise((r) => setTimeout(r, (WINDOW_SECONDS * 1000) / 3));
    }
    expect(events).toEqual([]);
    const lastBeat = Date.now();
    await beat();

    const trigger = await nthEvent(1);
    expect(trigger.at - lastBeat).toBeGreaterThanOrEqual(WINDOW_SECONDS * 1000);
    expect(trigger.body).toMatchObject({
        routing_key: "0123456789abcdef0123456789abcdef",
        event_action: "trigger",
        dedup_key: heartbeatDedupKey("test"),
        payload: {
            severity: "critical",
            summary: expect.stringContaining("[P2] No monitoring heartbeat from test"),
            custom_details: { priority: "P2" },
        },
        links: [{ href: "https://runbooks.example.com/monitoring-heartbeat-missing", text: "Runbook" }],
    });

    expect(await (await beat()).json()).toEqual({ heartbeat: "resolved" });
    expect((await nthEvent(2)).body).toEqual({
        routing_key: "0123456789abcdef0123456789abcdef",
        event_action: "resolve",
        dedup_key: heartbeatDedupKey("test"),
    });
    expect(await (await beat()).json()).toEqual({ heartbeat: "ok" });
});
