/**
 * Test-only entry (tests/worker/signals.test.ts): the gateway with every Analytics Engine point it
 * writes kept and served at GET /__points (miniflare's dataset discards them), and faults an
 * outage would cause, switched on by POST /__faults: STATE (client keys), CACHE or BACKUPS (R2)
 * failing, or, with `:hang`, never answering.
 */
import { createGateway } from "../src/gateway";
import { ADAPTERS } from "../src/providers/registry";
import type { Env } from "../src/settings";

type Binding = "STATE" | "CACHE" | "BACKUPS";
type Fault = Binding | `${Binding}:hang`;

const gateway = createGateway(ADAPTERS);
let points: unknown[] = [];
let faults = new Set<Fault>();
const recording = { writeDataPoint: (point: unknown) => void points.push(point) } as AnalyticsEngineDataset;
/** A binding whose every call fails, as one does when its service is down. */
const failing = new Proxy({}, { get: () => () => Promise.reject(new Error("binding unavailable")) });
/** A binding whose every call never settles, as one does when its service hangs. */
const hanging = new Proxy({}, { get: () => () => new Promise(() => undefined) });

function testEnv(env: Env): Env {
    const broken = Object.fromEntries([...faults].map((fault) => [fault.split(":")[0]!, fault.endsWith(":hang") ? hanging : failing]));
    return { ...env, ANALYTICS: recording, ...broken };
}

export default {
    async fetch(request, env, ctx) {
        const { pathname } = new URL(request.url);
        if (pathname === "/__points") {
            const written = points;
            points = [];
            return Response.json(written);
        }
        if (pathname === "/__faults") {
            faults = new Set((await request.json()) as Fault[]);
            return new Response(null, { status: 204 });
        }
        return gateway.fetch!(request, testEnv(env), ctx);
    },
    scheduled: (controller, env, ctx) => gateway.scheduled!(controller, testEnv(env), ctx),
} satisfies ExportedHandler<Env>;
