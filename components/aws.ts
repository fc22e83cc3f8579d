/**
 * The AWS services this program uses, imported one by one. `@pulumi/aws`'s index re-exports
 * every service, which puts 2,700 declaration files into each type-check. At runtime the index
 * still loads (a plain require, invisible to the type-check), so the package registers its
 * resource modules exactly as before.
 */
require("@pulumi/aws");

export * as autoscaling from "@pulumi/aws/autoscaling";
export * as backup from "@pulumi/aws/backup";
export * as budgets from "@pulumi/aws/budgets";
export * as cloudwatch from "@pulumi/aws/cloudwatch";
export * as costexplorer from "@pulumi/aws/costexplorer";
export * as ec2 from "@pulumi/aws/ec2";
export * as iam from "@pulumi/aws/iam";
export * as kms from "@pulumi/aws/kms";
export * as lb from "@pulumi/aws/lb";
export * as s3 from "@pulumi/aws/s3";
export * as sns from "@pulumi/aws/sns";
export * as ssm from "@pulumi/aws/ssm";
export * as vpc from "@pulumi/aws/vpc";
export { Provider } from "@pulumi/aws/provider";
export { getAvailabilityZonesOutput } from "@pulumi/aws/getAvailabilityZones";
export { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
export { Region } from "@pulumi/aws/types/enums";
