import * as aws from "../aws";
import * as pulumi from "@pulumi/pulumi";
import { BACKUP_TIER_TAG, type BackupTier } from "../../policies/lib/backupMatrix";
import { type SectionInput } from "../../config/schema";
import { sectionSettings } from "../../config/sections";

export interface RestoreTestsArgs {
    /** Physical plan name; AWS allows letters, digits and underscores only, so dashes become underscores. Required. */
    planName: string;
    /** Vault whose latest recovery points are restored. Required. */
    vaultArn: pulumi.Input<string>;
    /** Role AWS Backup restores with. Required. */
    serviceRoleArn: pulumi.Input<string>;
    /** Tags a tested resource must carry besides its BackupTier (e.g. its Environment). Optional. */
    scopeTags?: Record<string, string>;
    /** The `ops-platform:backup` section: restoreTesting schedule and validation window, restoreTestTiers. Optional; defaults in config/schema.ts. */
    settings?: SectionInput<"backup">;
}

/** Scheduled restore tests of the latest recovery point of each tested tier's EC2 instances. */
export class RestoreTests extends pulumi.ComponentResource {
    constructor(name: string, args: RestoreTestsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:backup:RestoreTests", name, {}, opts);
        const settings = sectionSettings("backup", args.settings, name);
        const plan = new aws.backup.RestoreTestingPlan(
            name,
            {
                name: args.planName.replace(/-/g, "_"),
                scheduleExpression: settings.restoreTesting.schedule,
                scheduleExpressionTimezone: "Etc/UTC",
                startWindowHours: 8,
                recoveryPointSelection: {
                    algorithm: "LATEST_WITHIN_WINDOW",
                    includeVaults: [args.vaultArn],
                    recoveryPointTypes: ["SNAPSHOT"],
                    selectionWindowDays: 7,
                },
            },
            { parent: this },
        );
        for (const tier of settings.restoreTestTiers as BackupTier[]) {
            new aws.backup.RestoreTestingSelection(
                `${name}-${tier}`,
                {
                    name: `${tier}_ec2`,
                    restoreTestingPlanName: plan.name,
                    protectedResourceType: "EC2",
                    iamRoleArn: args.serviceRoleArn,
                    protectedResourceConditions: {
                        stringEquals: Object.entries({ [BACKUP_TIER_TAG]: tier, ...args.scopeTags }).map(([key, value]) => ({
                            key: `aws:ResourceTag/${key}`,
                            value,
                        })),
                    },
                    validationWindowHours: settings.restoreTesting.validationWindowHours,
                },
                { parent: plan },
            );
        }
        this.registerOutputs({});
    }
}
