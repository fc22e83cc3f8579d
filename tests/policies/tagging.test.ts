import { awsRequiredTags, kubernetesRequiredLabels, statefulBackupTier } from "../../policies/rules/tagging";
import { changed, findingsOf, isType, productionResources, violations } from "./harness";

describe("aws-required-tags", () => {
    it("passes when the provider's default tags carry every required tag", async () => {
        expect(findingsOf(awsRequiredTags, await productionResources())).toEqual([]);
    });

    it("fails a resource whose provider lost a tag, naming it", async () => {
        const resources = changed(await productionResources(), isType("pulumi:providers:aws", "us-east-1"), (p) => {
            p.inputs["defaultTags"] = JSON.stringify({
                tags: { Environment: "production", Service: "x", Owner: "y", ManagedBy: "pulumi" },
            });
        });
        const messages = violations(findingsOf(awsRequiredTags, resources));
        expect(messages.length).toBeGreaterThan(10);
        expect(messages[0]).toBe("AWS resource must carry the required tags: missing CostCenter.");
    });

    it("fails an Environment that is not a stack name", async () => {
        const resources = changed(await productionResources(), isType("aws:ec2/vpc:Vpc", "us-east-1"), (r) => {
            r.inputs["tags"] = { Environment: "prod" };
        });
        expect(violations(findingsOf(awsRequiredTags, resources))).toEqual([
            'AWS resource must carry the required tags: Environment "prod" is not one of dev, staging, production.',
        ]);
    });

    it("reports unknown tags as not evaluated rather than passing", async () => {
        const resources = changed(await productionResources(), isType("aws:ec2/vpc:Vpc", "us-east-1"), (r) => {
            r.inputs["tags"] = "[unknown]";
        });
        expect(findingsOf(awsRequiredTags, resources)).toEqual([
            expect.objectContaining({
                status: "not-evaluated",
                message: "not evaluated: ops-platform-production-us-east-1.tags unknown until deploy",
            }),
        ]);
    });
});

describe("kubernetes-required-labels", () => {
    it("passes when every object carries the labels", async () => {
        expect(findingsOf(kubernetesRequiredLabels, await productionResources())).toEqual([]);
    });

    it("fails an object without the owner label", async () => {
        const resources = changed(await productionResources(), isType("kubernetes:core/v1:Namespace"), (r) => {
            delete (r.inputs["metadata"] as { labels: Record<string, string> }).labels["ops-platform/owner"];
        });
        expect(violations(findingsOf(kubernetesRequiredLabels, resources))).toEqual([
            "Kubernetes object must carry the labels ops-platform/owner.",
        ]);
    });
});

describe("stateful-backup-tier", () => {
    it("passes when instances and volumes carry a valid BackupTier", async () => {
        expect(findingsOf(statefulBackupTier, await productionResources())).toEqual([]);
    });

    it("fails a launch template whose volumes carry an invalid tier", async () => {
        const resources = changed(await productionResources(), isType("aws:ec2/launchTemplate:LaunchTemplate", "us-east-1"), (r) => {
            (r.inputs["tagSpecifications"] as Array<{ resourceType: string; tags: Record<string, string> }>)[1]!.tags["BackupTier"] =
                "gold";
        });
        expect(violations(findingsOf(statefulBackupTier, resources))).toEqual([
            'Stateful resource must carry BackupTier with one of critical, high, medium, low; found "gold".',
        ]);
    });
});
