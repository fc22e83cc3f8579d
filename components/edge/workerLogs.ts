import { createHash } from "node:crypto";
import * as cloudflare from "../cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { permissionGroups, r2BucketResource } from "./apiTokens";
import { R2Bucket } from "./r2Bucket";

export interface WorkerLogsArgs {
    accountId: string;
    /** Scripts whose trace events (logs, exceptions, outcome) are kept. Required. */
    scriptNames: pulumi.Input<string>[];
    /** Physical name of the log bucket. Required. */
    bucketName: string;
    /** Days the logs are kept, then deleted by the bucket's lifecycle. Required. */
    retentionDays: number;
    /** `protect` the bucket. Optional. Defaults to PROTECT_BY_DEFAULT. */
    protect?: boolean;
}

const PREFIX = "workers/";
/** workers_trace_events fields (developers.cloudflare.com/logs/reference/log-fields/account/workers_trace_events). */
const TRACE_FIELDS = [
    "EventTimestampMs",
    "ScriptName",
    "ScriptVersion",
    "Outcome",
    "Exceptions",
    "Logs",
    "Event",
    "EventType",
    "CPUTimeMs",
    "WallTimeMs",
];

/**
 * The Workers' trace events pushed to R2, searchable for `retentionDays` (Workers Logs keep 3
 * or 7 days whatever the team needs): a bucket whose lifecycle deletes them, an account token
 * that may only write objects into that bucket, and the Logpush job that uses its S3
 * credentials (id; SHA-256 of the value). The Workers must set `logpush: true`.
 */
export class WorkerLogs extends pulumi.ComponentResource {
    constructor(name: string, args: WorkerLogsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:edge:WorkerLogs", name, {}, opts);
        const { accountId } = args;
        const bucket = new R2Bucket(
            name,
            {
                accountId,
                bucketName: args.bucketName,
                retention: { prefix: PREFIX, days: args.retentionDays },
                ...(args.protect !== undefined ? { protect: args.protect } : {}),
            },
            { parent: this },
        );
        const writer = new cloudflare.AccountToken(
            `${name}-writer`,
            {
                accountId,
                name: `${args.bucketName}-logpush`,
                policies: [
                    {
                        effect: "allow",
                        permissionGroups: permissionGroups(accountId, "r2Bucket", ["Workers R2 Storage Bucket Item Write"], {
                            parent: this,
                        }),
                        resources: r2BucketResource(accountId, bucket.bucketName),
                    },
                ],
            },
            { parent: this },
        );
        // R2's S3 credentials of a token: the token id, and the SHA-256 of its value.
        const destination = pulumi
            .all([bucket.bucketName, writer.id, writer.value])
            .apply(
                ([b, id, value]) =>
                    `r2://${b}/${PREFIX}{DATE}?account-id=${accountId}&access-key-id=${id}&secret-access-key=${createHash("sha256").update(value).digest("hex")}`,
            );
        new cloudflare.LogpushJob(
            name,
            {
                accountId,
                name: args.bucketName,
                dataset: "workers_trace_events",
                destinationConf: pulumi.secret(destination),
                enabled: true,
                filter: pulumi
                    .all(args.scriptNames)
                    .apply((scripts) =>
                        JSON.stringify({ where: { or: scripts.map((s) => ({ key: "ScriptName", operator: "eq", value: s })) } }),
                    ),
                outputOptions: { fieldNames: TRACE_FIELDS, outputType: "ndjson", timestampFormat: "rfc3339" },
            },
            { parent: this, dependsOn: [writer] },
        );
        this.registerOutputs({});
    }
}
