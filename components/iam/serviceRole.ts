import * as aws from "../aws";
import type * as pulumi from "@pulumi/pulumi";

/**
 * A role that one AWS service assumes, with AWS-managed policies attached as `<name>-<suffix>`
 * under it: the fleet's instance role, the backup service role.
 */
export function serviceRole(
    name: string,
    service: string,
    managedPolicies: Record<string, string>,
    opts: pulumi.CustomResourceOptions,
): aws.iam.Role {
    const role = new aws.iam.Role(
        name,
        {
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
            }),
        },
        opts,
    );
    for (const [suffix, policyArn] of Object.entries(managedPolicies)) {
        new aws.iam.RolePolicyAttachment(`${name}-${suffix}`, { role: role.name, policyArn }, { parent: role });
    }
    return role;
}
