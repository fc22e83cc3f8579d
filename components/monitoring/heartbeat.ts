import * as cloudflare from "../cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { HEARTBEAT_ENTRY, bundleWorker } from "../edge/workerBundle";
import { HEARTBEAT_MIGRATIONS } from "../edge/durableObjects";
import { liveScriptMigrations } from "../edge/liveMigrations";
import {
    HEARTBEAT_ARM_CRON,
    HEARTBEAT_INTERVAL_SECONDS,
    HEARTBEAT_PATH,
    MISSED_HEARTBEATS_TO_PAGE,
    PAGERDUTY_EVENTS_URL,
    type HeartbeatSecret,
    type HeartbeatVar,
} from "../../workers/heartbeat/src/contract";
import { SCENARIOS } from "./ruleTypes";

export interface MonitoringHeartbeatArgs {
    accountId: string;
    zoneId: string;
    /** Full hostname the heartbeat listens on, such as api-heartbeat.example.com. Required. */
    hostname: string;
    /** Script name, `<service>-<environment>-heartbeat`. Required. */
    scriptName: string;
    environment: string;
    compatibilityDate: string;
    /** The token Alertmanager sends (secret). Required. */
    token: pulumi.Input<string>;
    /** PagerDuty Events API v2 key the switch pages with (secret). Required. */
    pagerdutyRoutingKey: pulumi.Input<string>;
    runbookUrl: string;
}

/**
 * The dead man's switch of the monitoring pipeline, on Cloudflare so that it outlives the
 * cluster it watches (workers/heartbeat): a script with its Durable Object, on a hostname of its
 * own (a proxied AAAA 100:: record, as Cloudflare documents for a Worker without an origin).
 * Resources inherit the Cloudflare provider of `opts`.
 */
export class MonitoringHeartbeat extends pulumi.ComponentResource {
    /** Where Alertmanager posts the Watchdog. */
    readonly url: string;

    constructor(name: string, args: MonitoringHeartbeatArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:monitoring:MonitoringHeartbeat", name, {}, opts);
        const { accountId } = args;
        const priority = SCENARIOS.degraded.priority;
        const vars: Record<Exclude<HeartbeatVar, HeartbeatSecret>, string> = {
            ENVIRONMENT: args.environment,
            HEARTBEAT_WINDOW_SECONDS: String(HEARTBEAT_INTERVAL_SECONDS * MISSED_HEARTBEATS_TO_PAGE),
            PAGERDUTY_EVENTS_URL,
            PRIORITY: priority,
            RUNBOOK_URL: args.runbookUrl,
        };
        const secrets: Record<HeartbeatSecret, pulumi.Input<string>> = {
            HEARTBEAT_TOKEN: args.token,
            PAGERDUTY_ROUTING_KEY: args.pagerdutyRoutingKey,
        };
        // Non-versioned, as the rate limiter's host: a Durable Object class's migration cannot ride a version (10211).
        const script = new cloudflare.WorkersScript(
            name,
            {
                accountId,
                scriptName: args.scriptName,
                mainModule: "index.js",
                content: bundleWorker(HEARTBEAT_ENTRY).code,
                compatibilityDate: args.compatibilityDate,
                migrations: liveScriptMigrations(accountId, args.scriptName, HEARTBEAT_MIGRATIONS, this),
                bindings: [
                    { type: "durable_object_namespace", name: "HEARTBEAT", className: "Heartbeat" },
                    ...Object.entries(vars).map(([name, text]) => ({ type: "plain_text", name, text })),
                    ...Object.entries(secrets).map(([name, text]) => ({
                        type: "secret_text",
                        name,
                        text: pulumi.secret(text as pulumi.Input<string>),
                    })),
                ],
                observability: { enabled: true },
            },
            { parent: this },
        );
        new cloudflare.DnsRecord(
            name,
            { zoneId: args.zoneId, name: args.hostname, type: "AAAA", content: "100::", proxied: true, ttl: 1 },
            { parent: this },
        );
        new cloudflare.WorkersRoute(
            name,
            { zoneId: args.zoneId, pattern: `${args.hostname}/*`, script: script.scriptName },
            { parent: this },
        );
        // Arms a switch that never heard a heartbeat. The script is non-versioned, so it serves once uploaded.
        new cloudflare.WorkersCronTrigger(
            name,
            { accountId, scriptName: script.scriptName, schedules: [{ cron: HEARTBEAT_ARM_CRON }] },
            { parent: this },
        );
        this.url = `https://${args.hostname}${HEARTBEAT_PATH}`;
        this.registerOutputs({ url: this.url });
    }
}
