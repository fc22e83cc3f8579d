/**
 * The monitoring pipeline's dead man's switch, outside the cluster it watches. Alertmanager
 * sends kube-prometheus-stack's always-firing Watchdog alert here every minute (POST /beat with
 * the shared token). Each heartbeat moves a Durable Object alarm HEARTBEAT_WINDOW_SECONDS ahead;
 * when it fires, no heartbeat came in the window and it pages through PagerDuty's Events API v2.
 * The next heartbeat resolves the page. A cron arms the alarm of a switch that has never heard
 * a heartbeat, so an Alertmanager that never reaches it after a deploy pages as well. Names
 * shared with the program are in ./contract.ts.
 */
import { HEARTBEAT_PATH, heartbeatDedupKey, type HeartbeatVar } from "./contract";

/** The Durable Object's two requests: a heartbeat, and the cron's arming. */
const BEAT = "https://heartbeat/beat";
const ARM = "https://heartbeat/arm";

export interface Env extends Record<HeartbeatVar, string> {
    HEARTBEAT: DurableObjectNamespace;
}

/** One per environment: the heartbeat's alarm and whether it has paged. */
export class Heartbeat implements DurableObject {
    constructor(
        private readonly state: DurableObjectState,
        private readonly env: Env,
    ) {}

    async fetch(request: Request): Promise<Response> {
        return request.url === ARM ? this.arm() : this.beat();
    }

    /** A heartbeat: the alarm moves a window ahead, and an open page is resolved. */
    private async beat(): Promise<Response> {
        const paged = (await this.state.storage.get<boolean>("paged")) === true;
        await this.state.storage.setAlarm(this.windowFromNow());
        if (paged) {
            await this.sendEvent("resolve");
            await this.state.storage.put("paged", false);
        }
        return Response.json({ heartbeat: paged ? "resolved" : "ok" });
    }

    /**
     * From the cron: a switch with no alarm and no open page (it never heard a heartbeat) starts
     * its window now. An armed switch is left alone, so the cron never postpones a page.
     */
    private async arm(): Promise<Response> {
        const idle = (await this.state.storage.getAlarm()) === null && (await this.state.storage.get<boolean>("paged")) !== true;
        if (idle) await this.state.storage.setAlarm(this.windowFromNow());
        return Response.json({ heartbeat: idle ? "armed" : "already armed" });
    }

    private windowFromNow(): number {
        return Date.now() + Number(this.env.HEARTBEAT_WINDOW_SECONDS) * 1000;
    }

    /** Runs only when no heartbeat moved the alarm. A failed send throws, and Cloudflare retries the alarm. */
    async alarm(): Promise<void> {
        await this.sendEvent("trigger");
        await this.state.storage.put("paged", true);
    }

    private async sendEvent(action: "trigger" | "resolve"): Promise<void> {
        const env = this.env;
        const event = {
            routing_key: env.PAGERDUTY_ROUTING_KEY,
            event_action: action,
            // One incident per environment: repeated triggers join it, the resolve closes it.
            dedup_key: heartbeatDedupKey(env.ENVIRONMENT),
            ...(action === "trigger"
                ? {
                      payload: {
                          summary: `[${env.PRIORITY}] No monitoring heartbeat from ${env.ENVIRONMENT} for ${env.HEARTBEAT_WINDOW_SECONDS}s: Prometheus or Alertmanager is down or cannot reach out`,
                          source: `ops-platform-${env.ENVIRONMENT}-heartbeat`,
                          severity: "critical",
                          custom_details: { priority: env.PRIORITY, environment: env.ENVIRONMENT, runbook: env.RUNBOOK_URL },
                      },
                      links: [{ href: env.RUNBOOK_URL, text: "Runbook" }],
                  }
                : {}),
        };
        const response = await fetch(env.PAGERDUTY_EVENTS_URL, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(event),
        });
        if (!response.ok) throw new Error(`PagerDuty refused the ${action}: status ${response.status}`);
    }
}

function authorized(request: Request, token: string): boolean {
    const given = new TextEncoder().encode(request.headers.get("authorization") ?? "");
    const expected = new TextEncoder().encode(`Bearer ${token}`);
    return given.byteLength === expected.byteLength && crypto.subtle.timingSafeEqual(given, expected);
}

/** One switch per environment. */
function theSwitch(env: Env): DurableObjectStub {
    return env.HEARTBEAT.get(env.HEARTBEAT.idFromName(env.ENVIRONMENT));
}

export default {
    async fetch(request, env): Promise<Response> {
        if (new URL(request.url).pathname !== HEARTBEAT_PATH || request.method !== "POST")
            return new Response("not found", { status: 404 });
        if (!env.HEARTBEAT_TOKEN || !authorized(request, env.HEARTBEAT_TOKEN)) return new Response("unauthorized", { status: 401 });
        return theSwitch(env).fetch(BEAT, { method: "POST" });
    },
    async scheduled(_controller, env): Promise<void> {
        await theSwitch(env).fetch(ARM, { method: "POST" });
    },
} satisfies ExportedHandler<Env>;
