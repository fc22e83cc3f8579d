import * as aws from "../aws";
import * as pulumi from "@pulumi/pulumi";
import { type SectionInput } from "../../config/schema";
import { sectionSettings } from "../../config/sections";

/**
 * The tag key Patch Manager reads the patch group from. Without a space: EC2 refuses to launch
 * instances whose tag keys have spaces while instance metadata tags are on, and SSM documents
 * `PatchGroup` for that case (docs/provider-rules.md).
 */
export const PATCH_GROUP_TAG = "PatchGroup";

export interface PatchingArgs {
    /** Patch group whose instances are patched (their patch-group tag value). Required. */
    patchGroup: string;
    /** `ops-platform:fleet` settings: `patching` deadlines and window, and the first refresh checkpoint as the wave size. Optional; defaults in config/schema.ts. */
    settings?: SectionInput<"fleet">;
}

/**
 * SSM patching of one patch group: a baseline that approves security updates by severity and
 * a weekly window that installs them. The weekly window meets the 7/30/90-day deadlines; the
 * install runs the first refresh checkpoint's share of instances at a time and stops on the
 * first failure, so a bad patch reaches one wave only. Resources inherit the AWS provider of
 * `opts`.
 */
export class Patching extends pulumi.ComponentResource {
    constructor(name: string, args: PatchingArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:fleet:Patching", name, {}, opts);
        const settings = sectionSettings("fleet", args.settings, name);
        const { patching } = settings;
        const firstWave = settings.refresh.checkpointPercentages[0]!;
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
        const window = new aws.ssm.MaintenanceWindow(
            patchesName,
            { schedule: patching.windowSchedule, duration: patching.windowHours, cutoff: 1, allowUnassociatedTargets: false },
            { parent: baseline },
        );
        const target = new aws.ssm.MaintenanceWindowTarget(
            patchesName,
            { windowId: window.id, resourceType: "INSTANCE", targets: [{ key: `tag:${PATCH_GROUP_TAG}`, values: [args.patchGroup] }] },
            { parent: window },
        );
        new aws.ssm.MaintenanceWindowTask(
            patchesName,
            {
                windowId: window.id,
                taskType: "RUN_COMMAND",
                taskArn: "AWS-RunPatchBaseline",
                priority: 1,
                maxConcurrency: `${firstWave}%`,
                maxErrors: "0",
                targets: [{ key: "WindowTargetIds", values: [target.id] }],
                taskInvocationParameters: {
                    runCommandParameters: {
                        parameters: [
                            { name: "Operation", values: ["Install"] },
                            { name: "RebootOption", values: ["RebootIfNeeded"] },
                        ],
                    },
                },
            },
            { parent: window },
        );
        this.registerOutputs({});
    }
}
