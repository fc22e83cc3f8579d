import * as cloudflare from "../cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { PROTECT_BY_DEFAULT } from "../../config/schema";

export interface R2BucketArgs {
    accountId: string;
    /** Physical bucket name. Required. */
    bucketName: string;
    /** Objects under `prefix` expire a day after `days` (the writer prunes them first; this is the safety net). Required. */
    retention: { prefix: string; days: number };
    /** Lock objects under the prefix for `retention.days` against deletion and overwrite. Optional. Defaults to false. */
    lock?: boolean;
    /** `protect` the bucket and its lock. Optional. Defaults to PROTECT_BY_DEFAULT. */
    protect?: boolean;
}

const DAY_SECONDS = 86_400;

/** An R2 bucket whose objects under a prefix expire after a retention, optionally locked for it. */
export class R2Bucket extends pulumi.ComponentResource {
    readonly bucketName: pulumi.Output<string>;

    constructor(name: string, args: R2BucketArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:edge:R2Bucket", name, {}, opts);
        const { accountId, retention } = args;
        const protect = args.protect ?? PROTECT_BY_DEFAULT;
        const retentionSeconds = retention.days * DAY_SECONDS;
        const ruleSuffix = retention.prefix.replace(/\/$/, "");
        const bucket = new cloudflare.R2Bucket(name, { accountId, name: args.bucketName }, { parent: this, protect });
        new cloudflare.R2BucketLifecycle(
            name,
            {
                accountId,
                bucketName: bucket.name,
                rules: [
                    {
                        id: `expire-${ruleSuffix}`,
                        enabled: true,
                        conditions: { prefix: retention.prefix },
                        deleteObjectsTransition: { condition: { type: "Age", maxAge: retentionSeconds + DAY_SECONDS } },
                    },
                    {
                        id: "abort-incomplete-uploads",
                        enabled: true,
                        conditions: { prefix: "" },
                        abortMultipartUploadsTransition: { condition: { type: "Age", maxAge: DAY_SECONDS } },
                    },
                ],
            },
            { parent: bucket },
        );
        if (args.lock) {
            new cloudflare.R2BucketLock(
                name,
                {
                    accountId,
                    bucketName: bucket.name,
                    rules: [
                        {
                            id: `retain-${ruleSuffix}`,
                            enabled: true,
                            prefix: retention.prefix,
                            condition: { type: "Age", maxAgeSeconds: retentionSeconds },
                        },
                    ],
                },
                { parent: bucket, protect },
            );
        }
        this.bucketName = bucket.name;
        this.registerOutputs({ bucketName: this.bucketName });
    }
}
