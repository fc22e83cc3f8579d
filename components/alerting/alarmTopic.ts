import * as aws from "../aws";
import * as pulumi from "@pulumi/pulumi";
import { PROTECT_BY_DEFAULT } from "../../config/schema";

export interface AlarmTopicArgs {
    /** Addresses subscribed by email. Optional. Defaults to none. */
    emails?: string[];
    /** SNS filter policy on the message attributes every subscription applies. Optional. Defaults to none (all messages). */
    filterPolicy?: Record<string, unknown>;
    /** `protect` the topic's key. Optional. Defaults to PROTECT_BY_DEFAULT. */
    protect?: boolean;
}

/** The AWS services that publish to alarm topics: CloudWatch alarms and AWS Backup vault events. */
const PUBLISHERS = ["cloudwatch.amazonaws.com", "backup.amazonaws.com", "events.amazonaws.com"];

/**
 * An SNS topic for alarms, failed patch waves and backup job failures, encrypted with its own KMS
 * key (CloudWatch and AWS Backup cannot publish to a topic under the AWS-managed SNS key), with
 * email subscriptions. It never pages: Alertmanager does, for the same symptoms (README
 * "Paging"). Resources inherit the AWS provider of `opts`.
 */
export class AlarmTopic extends pulumi.ComponentResource {
    readonly arn: pulumi.Output<string>;

    constructor(name: string, args: AlarmTopicArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:alerting:AlarmTopic", name, {}, opts);
        const caller = aws.getCallerIdentityOutput({}, { parent: this });
        const topicName = `${name}-alarms`;
        const key = new aws.kms.Key(
            topicName,
            {
                description: `${name} alarm topic`,
                enableKeyRotation: true,
                policy: caller.accountId.apply((account) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Sid: "AccountAdministers",
                                Effect: "Allow",
                                Principal: { AWS: `arn:aws:iam::${account}:root` },
                                Action: "kms:*",
                                Resource: "*",
                            },
                            {
                                Sid: "PublishersEncrypt",
                                Effect: "Allow",
                                Principal: { Service: PUBLISHERS },
                                Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
                                Resource: "*",
                            },
                        ],
                    }),
                ),
            },
            { parent: this, protect: args.protect ?? PROTECT_BY_DEFAULT },
        );
        const topic = new aws.sns.Topic(topicName, { kmsMasterKeyId: key.arn }, { parent: this });
        new aws.sns.TopicPolicy(
            topicName,
            {
                arn: topic.arn,
                policy: pulumi.all([topic.arn, caller.accountId]).apply(([arn, account]) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            // CloudWatch alarms and EventBridge rules (a failed patch wave) publish with aws:SourceAccount (their confused-deputy guidance).
                            {
                                Sid: "AlarmsAndEventsPublish",
                                Effect: "Allow",
                                Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] },
                                Action: "SNS:Publish",
                                Resource: arn,
                                Condition: { StringEquals: { "aws:SourceAccount": account } },
                            },
                            // AWS Backup's documented topic policy has no condition; a condition it does not send would drop every job event.
                            {
                                Sid: "BackupPublishes",
                                Effect: "Allow",
                                Principal: { Service: "backup.amazonaws.com" },
                                Action: "SNS:Publish",
                                Resource: arn,
                            },
                        ],
                    }),
                ),
            },
            { parent: topic },
        );
        const filter = args.filterPolicy ? { filterPolicy: JSON.stringify(args.filterPolicy), filterPolicyScope: "MessageAttributes" } : {};
        (args.emails ?? []).forEach(
            (email, i) =>
                new aws.sns.TopicSubscription(
                    `${topicName}-email-${i + 1}`,
                    { topic: topic.arn, protocol: "email", endpoint: email, ...filter },
                    { parent: topic },
                ),
        );
        this.arn = topic.arn;
        this.registerOutputs({ arn: this.arn });
    }
}
