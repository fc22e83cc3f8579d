import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as aws from "../aws";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { shiftWeekday } from "../../policies/lib/backupMatrix";
import { REPO_ROOT } from "../../config/repoRoot";
import { type SectionInput } from "../../config/schema";
import { sectionSettings } from "../../config/sections";

/**
 * The tag key Patch Manager reads the patch group from. Without a space: EC2 refuses to launch
 * instances whose tag keys have spaces while instance metadata tags are on, and SSM documents
 * `PatchGroup` for that case (docs/provider-rules.md).
 */
export const PATCH_GROUP_TAG = "PatchGroup";
/** The tag in which each instance keeps its patch wave (components/fleet/patchWaves.py reads it as WaveTag). */
export const PATCH_WAVE_TAG = "PatchWave";

export interface PatchingArgs {
    /** Patch group whose instances are patched (their patch-group tag value). Required. */
    patchGroup: string;
    /** The fleet's alarms: a wave does not start while one of them is in ALARM. Required. */
    alarmNames: pulumi.Input<string>[];
    /** Where a wave that failed or did not start is reported: the fleet's alarm topic. Required. */
    alarmTopicArn: pulumi.Input<string>;
    /** `ops-platform:fleet` settings: `patching` deadlines, window and waves. Optional; defaults in config/schema.ts. */
    settings?: SectionInput<"fleet">;
}

/** The Automation document of a patch group's waves. */
const waveDocumentName = (patchGroup: string) => `${patchGroup}-patch-wave`;

/** The wave step of the Automation document: components/fleet/patchWaves.py, run by aws:executeScript. */
const WAVE_SCRIPT = readFileSync(join(REPO_ROOT, "components", "fleet", "patchWaves.py"), "utf8");

/**
 * The Automation document of a patch wave: the script picks the instances up to the wave (after
 * checking the alarms and keeping each instance's wave in its tag), then AWS-RunPatchBaseline
 * installs on them a share at a time and stops at the first failure.
 */
export function waveAutomation(patchGroup: string): Record<string, unknown> {
    return {
        schemaVersion: "0.3",
        description: `A patch wave of ${patchGroup}: alarms OK, waves kept in ${PATCH_WAVE_TAG} tags, AWS-RunPatchBaseline up to the wave`,
        assumeRole: "{{ AutomationAssumeRole }}",
        parameters: {
            AutomationAssumeRole: { type: "String" },
            Wave: { type: "String" },
            Shares: { type: "String" },
            AlarmNames: { type: "StringList" },
            MaxConcurrency: { type: "String" },
        },
        mainSteps: [
            {
                name: "chooseInstances",
                action: "aws:executeScript",
                inputs: {
                    Runtime: "python3.11",
                    Handler: "handler",
                    Script: WAVE_SCRIPT,
                    InputPayload: {
                        Wave: "{{ Wave }}",
                        Shares: "{{ Shares }}",
                        AlarmNames: "{{ AlarmNames }}",
                        PatchGroup: patchGroup,
                        PatchGroupTag: PATCH_GROUP_TAG,
                        WaveTag: PATCH_WAVE_TAG,
                    },
                },
                outputs: [
                    { Name: "InstanceIds", Selector: "$.Payload.InstanceIds", Type: "StringList" },
                    { Name: "Count", Selector: "$.Payload.Count", Type: "Integer" },
                ],
            },
            {
                name: "anyToPatch",
                action: "aws:branch",
                inputs: { Choices: [{ NextStep: "patch", Variable: "{{ chooseInstances.Count }}", NumericGreater: 0 }] },
                isEnd: true,
            },
            {
                name: "patch",
                action: "aws:runCommand",
                inputs: {
                    DocumentName: "AWS-RunPatchBaseline",
                    InstanceIds: "{{ chooseInstances.InstanceIds }}",
                    MaxConcurrency: "{{ MaxConcurrency }}",
                    MaxErrors: "0",
                    Parameters: { Operation: "Install", RebootOption: "RebootIfNeeded" },
                },
                isEnd: true,
            },
        ],
    };
}

/**
 * SSM patching of one patch group in waves: a baseline that approves security updates by
 * severity, and one weekly window per wave, a day apart, each running an Automation that checks
 * the fleet's alarms, keeps every instance's wave in its PatchWave tag and installs on the
 * instances up to its wave (10% -> 50% -> 100% of the fleet), one share at a time, stopping on
 * the first failure. A single window with rate controls patched the whole group in one run.
 * Resources inherit the AWS provider of `opts`.
 */
export class Patching extends pulumi.ComponentResource {
    constructor(name: string, args: PatchingArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:fleet:Patching", name, {}, opts);
        const settings = sectionSettings("fleet", args.settings, name);
        const { patching } = settings;
        const patchesName = `${name}-patches`;
        const baseline = new aws.ssm.PatchBaseline(
            patchesName,
            {
                operatingSystem: "UBUNTU",
                description: `Security updates: critical within ${patching.criticalDays} days, high within ${patching.highDays}, medium within ${patching.mediumDays}`,
                approvalRules: [
                    {
                        complianceLevel: "CRITICAL",
                        patchFilters: [
                            { key: "PRIORITY", values: ["Required"] },
                            { key: "SECTION", values: ["*"] },
                        ],
                    },
                    {
                        complianceLevel: "HIGH",
                        patchFilters: [
                            { key: "PRIORITY", values: ["Important"] },
                            { key: "SECTION", values: ["*"] },
                        ],
                    },
                    {
                        complianceLevel: "MEDIUM",
                        patchFilters: [
                            { key: "PRIORITY", values: ["Standard"] },
                            { key: "SECTION", values: ["*"] },
                        ],
                    },
                ],
            },
            { parent: this },
        );
        new aws.ssm.PatchGroup(patchesName, { baselineId: baseline.id, patchGroup: args.patchGroup }, { parent: baseline });

        const automation = this.waveAutomation(patchesName, args.patchGroup, baseline);
        // A wave that failed or refused to start must reach someone: EventBridge sends its
        // execution's status change to the fleet's alarm topic.
        const failed = new aws.cloudwatch.EventRule(
            `${patchesName}-wave-failed`,
            {
                description: `A patch wave of ${args.patchGroup} failed or did not start`,
                eventPattern: JSON.stringify({
                    source: ["aws.ssm"],
                    "detail-type": ["EC2 Automation Execution Status-change Notification"],
                    detail: { Definition: [waveDocumentName(args.patchGroup)], Status: ["Failed", "TimedOut", "Cancelled"] },
                }),
            },
            { parent: automation.document },
        );
        new aws.cloudwatch.EventTarget(`${patchesName}-wave-failed`, { rule: failed.name, arn: args.alarmTopicArn }, { parent: failed });
        patching.waves.forEach((share, i) => {
            const wave = i + 1;
            const waveName = patching.waves.length === 1 ? patchesName : `${patchesName}-wave-${wave}`;
            const window = new aws.ssm.MaintenanceWindow(
                waveName,
                {
                    schedule: shiftWeekday(patching.windowSchedule, i) ?? patching.windowSchedule,
                    duration: patching.windowHours,
                    cutoff: 1,
                    allowUnassociatedTargets: true,
                    description: `Patch wave ${wave} of ${patching.waves.length}: up to ${share}% of ${args.patchGroup}`,
                },
                { parent: baseline },
            );
            new aws.ssm.MaintenanceWindowTask(
                waveName,
                {
                    windowId: window.id,
                    taskType: "AUTOMATION",
                    taskArn: automation.document.name,
                    priority: 1,
                    // A task without targets takes no rate controls (AWS refuses them); the
                    // Automation's runCommand step has its own.
                    serviceRoleArn: automation.role.arn,
                    taskInvocationParameters: {
                        automationParameters: {
                            documentVersion: "$LATEST",
                            parameters: [
                                { name: "AutomationAssumeRole", values: [automation.role.arn] },
                                { name: "Wave", values: [String(wave)] },
                                { name: "Shares", values: [patching.waves.join(",")] },
                                { name: "AlarmNames", values: args.alarmNames },
                                { name: "MaxConcurrency", values: [`${patching.waves[0]}%`] },
                            ],
                        },
                    },
                },
                { parent: window },
            );
        });
        this.registerOutputs({});
    }

    /** The Automation document of a wave and the role it runs as: read alarms and instances, tag waves, run the patch baseline. */
    private waveAutomation(name: string, patchGroup: string, parent: pulumi.Resource): { document: aws.ssm.Document; role: aws.iam.Role } {
        const document = new aws.ssm.Document(
            `${name}-wave`,
            {
                name: waveDocumentName(patchGroup),
                documentType: "Automation",
                documentFormat: "YAML",
                content: stringify(waveAutomation(patchGroup)),
            },
            { parent },
        );
        const role = new aws.iam.Role(
            `${name}-wave`,
            {
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Principal: { Service: "ssm.amazonaws.com" }, Action: "sts:AssumeRole" }],
                }),
            },
            { parent },
        );
        new aws.iam.RolePolicy(
            `${name}-wave`,
            {
                role: role.name,
                policy: role.arn.apply((roleArn) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Sid: "ReadAlarmsAndInstances",
                                Effect: "Allow",
                                Action: ["cloudwatch:DescribeAlarms", "ec2:DescribeInstances"],
                                Resource: "*",
                            },
                            {
                                Sid: "TagWavesOfThisGroupOnly",
                                Effect: "Allow",
                                Action: "ec2:CreateTags",
                                Resource: "arn:aws:ec2:*:*:instance/*",
                                Condition: {
                                    StringEquals: { [`aws:ResourceTag/${PATCH_GROUP_TAG}`]: patchGroup },
                                    "ForAllValues:StringEquals": { "aws:TagKeys": [PATCH_WAVE_TAG] },
                                },
                            },
                            {
                                Sid: "PatchThisGroupOnly",
                                Effect: "Allow",
                                Action: "ssm:SendCommand",
                                Resource: "arn:aws:ec2:*:*:instance/*",
                                Condition: { StringEquals: { [`aws:ResourceTag/${PATCH_GROUP_TAG}`]: patchGroup } },
                            },
                            {
                                Sid: "WithThePatchBaseline",
                                Effect: "Allow",
                                Action: "ssm:SendCommand",
                                Resource: "arn:aws:ssm:*:*:document/AWS-RunPatchBaseline",
                            },
                            {
                                Sid: "FollowTheCommandAndThePatchStates",
                                Effect: "Allow",
                                Action: [
                                    "ssm:ListCommands",
                                    "ssm:ListCommandInvocations",
                                    "ssm:GetCommandInvocation",
                                    "ssm:DescribeInstanceInformation",
                                    "ssm:DescribeInstancePatchStates",
                                ],
                                Resource: "*",
                            },
                            // The window starts the Automation as this role and passes it on as the
                            // Automation's own (AmazonSSMMaintenanceWindowRole grants the same).
                            {
                                Sid: "TheWindowStartsTheWave",
                                Effect: "Allow",
                                Action: ["ssm:StartAutomationExecution", "ssm:GetAutomationExecution"],
                                Resource: "*",
                            },
                            {
                                Sid: "PassedToTheAutomation",
                                Effect: "Allow",
                                Action: "iam:PassRole",
                                Resource: roleArn,
                                Condition: { StringEquals: { "iam:PassedToService": "ssm.amazonaws.com" } },
                            },
                        ],
                    }),
                ),
            },
            { parent: role },
        );
        return { document, role };
    }
}
