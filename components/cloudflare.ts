/**
 * The Cloudflare resources and data sources this program uses, imported one by one:
 * `@pulumi/cloudflare`'s index re-exports about 780 declaration files into each type-check. At
 * runtime the index still loads (a plain require), so the package registers as before.
 */
require("@pulumi/cloudflare");
export * as types from "@pulumi/cloudflare/types";
export { Provider } from "@pulumi/cloudflare/provider";
export { AccountToken } from "@pulumi/cloudflare/accountToken";
export { ApiToken } from "@pulumi/cloudflare/apiToken";
export { DnsRecord } from "@pulumi/cloudflare/dnsRecord";
export { LoadBalancer } from "@pulumi/cloudflare/loadBalancer";
export { LoadBalancerMonitor } from "@pulumi/cloudflare/loadBalancerMonitor";
export { LoadBalancerPool } from "@pulumi/cloudflare/loadBalancerPool";
export { LogpushJob } from "@pulumi/cloudflare/logpushJob";
export { NotificationPolicy } from "@pulumi/cloudflare/notificationPolicy";
export { NotificationPolicyWebhooks } from "@pulumi/cloudflare/notificationPolicyWebhooks";
export { R2Bucket } from "@pulumi/cloudflare/r2bucket";
export { R2BucketLifecycle } from "@pulumi/cloudflare/r2bucketLifecycle";
export { R2BucketLock } from "@pulumi/cloudflare/r2bucketLock";
export { Worker } from "@pulumi/cloudflare/worker";
export { WorkerVersion } from "@pulumi/cloudflare/workerVersion";
export { WorkersCronTrigger } from "@pulumi/cloudflare/workersCronTrigger";
export { WorkersDeployment } from "@pulumi/cloudflare/workersDeployment";
export { WorkersKvNamespace } from "@pulumi/cloudflare/workersKvNamespace";
export { WorkersRoute } from "@pulumi/cloudflare/workersRoute";
export { WorkersScript } from "@pulumi/cloudflare/workersScript";
export { getAccountApiTokenPermissionGroupsListOutput } from "@pulumi/cloudflare/getAccountApiTokenPermissionGroupsList";
export { getWorkersDeploymentsOutput } from "@pulumi/cloudflare/getWorkersDeployments";
export { getWorkersScriptsOutput } from "@pulumi/cloudflare/getWorkersScripts";
