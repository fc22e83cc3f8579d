/**
 * The inputs whose change makes the provider replace a resource instead of updating it, for
 * every resource type this program declares: Terraform's `ForceNew` / `RequiresReplace` in
 * the AWS, Cloudflare, PagerDuty and random providers' schemas, pulumi-kubernetes' diff for Kubernetes.
 * Each entry names the source it was read from. Conditional replacements (a network load
 * balancer's subnets, a security-group rule switching the kind of its source) are not listed:
 * the plan shows those as updates. docs/provider-rules.md says how this was checked.
 */
export interface ForceNew {
    /** Input paths, dotted through nested objects and lists. */
    keys: readonly string[];
    source: string;
}

const PAGERDUTY = "terraform-provider-pagerduty v2.4.0 (bridged by @pulumi/pagerduty 3.4.0)";

export const FORCE_NEW: Readonly<Record<string, ForceNew>> = {
    "aws:autoscaling/group:Group": {
        keys: [
            "name",
            "namePrefix",
            "initialLifecycleHooks",
            "initialLifecycleHooks.defaultResult",
            "initialLifecycleHooks.heartbeatTimeout",
            "initialLifecycleHooks.lifecycleTransition",
            "initialLifecycleHooks.name",
            "initialLifecycleHooks.notificationMetadata",
            "initialLifecycleHooks.notificationTargetArn",
            "initialLifecycleHooks.roleArn",
        ],
        source: "terraform-provider-aws@00a919d1 internal/service/autoscaling/group.go",
    },
    "aws:autoscaling/policy:Policy": {
        keys: ["autoscalingGroupName", "name"],
        source: "terraform-provider-aws@007ce0a8 internal/service/autoscaling/policy.go",
    },
    "aws:backup/framework:Framework": { keys: ["name"], source: "terraform-provider-aws@00a35305 internal/service/backup/framework.go" },
    "aws:autoscaling/schedule:Schedule": {
        keys: ["autoscalingGroupName", "scheduledActionName"],
        source: "terraform-provider-aws@1049654f internal/service/autoscaling/schedule.go",
    },
    "aws:backup/plan:Plan": { keys: ["name"], source: "terraform-provider-aws@01f43111 internal/service/backup/plan.go" },
    "aws:budgets/budget:Budget": {
        keys: ["accountId", "name", "namePrefix"],
        source: "terraform-provider-aws internal/service/budgets/budget.go (not re-read: from the resource's documented arguments)",
    },
    "aws:costexplorer/anomalyMonitor:AnomalyMonitor": {
        keys: ["monitorDimension", "monitorSpecification", "monitorType"],
        source: "terraform-provider-aws@0509e60e internal/service/ce/anomaly_monitor.go",
    },
    "aws:costexplorer/anomalySubscription:AnomalySubscription": {
        keys: ["accountId"],
        source: "terraform-provider-aws internal/service/ce/anomaly_subscription.go (not re-read: from the resource's documented arguments)",
    },
    "aws:costexplorer/costAllocationTag:CostAllocationTag": {
        keys: ["tagKey"],
        source: "terraform-provider-aws internal/service/ce/cost_allocation_tag.go (not re-read: from the resource's documented arguments)",
    },
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": {
        keys: ["name"],
        source: "terraform-provider-aws@108f85fd internal/service/backup/restore_testing_plan.go",
    },
    "aws:backup/restoreTestingSelection:RestoreTestingSelection": {
        keys: ["name", "protectedResourceType", "restoreTestingPlanName"],
        source: "terraform-provider-aws@00a35305 internal/service/backup/restore_testing_selection.go",
    },
    "aws:backup/selection:Selection": {
        keys: [
            "name",
            "iamRoleArn",
            "planId",
            "resources",
            "notResources",
            "conditions",
            "conditions.stringEquals",
            "conditions.stringLikes",
            "conditions.stringNotEquals",
            "conditions.stringNotLikes",
            "selectionTags",
        ],
        source: "terraform-provider-aws@00a35305 internal/service/backup/selection.go",
    },
    "aws:backup/vault:Vault": { keys: ["name", "kmsKeyArn"], source: "terraform-provider-aws@050ac111 internal/service/backup/vault.go" },
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": {
        keys: ["backupVaultName", "changeableForDays", "maxRetentionDays", "minRetentionDays"],
        source: "terraform-provider-aws@01606926 internal/service/backup/vault_lock_configuration.go",
    },
    "aws:backup/vaultNotifications:VaultNotifications": {
        keys: ["backupVaultName", "snsTopicArn", "backupVaultEvents"],
        source: "terraform-provider-aws@12e66fa4 internal/service/backup/vault_notifications.go",
    },
    "aws:backup/vaultPolicy:VaultPolicy": {
        keys: ["backupVaultName"],
        source: "terraform-provider-aws@01606926 internal/service/backup/vault_policy.go",
    },
    "aws:cloudwatch/logGroup:LogGroup": {
        keys: ["name", "namePrefix", "logGroupClass"],
        source: "terraform-provider-aws@0073593e internal/service/logs/group.go",
    },
    "aws:cloudwatch/metricAlarm:MetricAlarm": {
        keys: ["name"],
        source: "terraform-provider-aws@055611a6 internal/service/cloudwatch/metric_alarm.go",
    },
    "aws:ec2/eip:Eip": {
        keys: ["address", "domain", "ipamPoolId", "networkBorderGroup", "publicIpv4Pool"],
        source: "terraform-provider-aws@01606926 internal/service/ec2/ec2_eip.go",
    },
    "aws:ec2/flowLog:FlowLog": {
        keys: [
            "deliverCrossAccountRole",
            "destinationOptions",
            "destinationOptions.fileFormat",
            "destinationOptions.hiveCompatiblePartitions",
            "destinationOptions.perHourPartition",
            "eniId",
            "iamRoleArn",
            "logDestination",
            "logDestinationType",
            "logFormat",
            "maxAggregationInterval",
            "regionalNatGatewayId",
            "subnetId",
            "trafficType",
            "transitGatewayAttachmentId",
            "transitGatewayId",
            "vpcId",
        ],
        source: "terraform-provider-aws@00a35305 internal/service/ec2/vpc_flow_log.go",
    },
    "aws:ec2/internetGateway:InternetGateway": {
        keys: [],
        source: "terraform-provider-aws@08923b68 internal/service/ec2/vpc_internet_gateway.go",
    },
    "aws:ec2/launchTemplate:LaunchTemplate": { keys: ["name", "namePrefix"], source: "internal/service/ec2/ec2_launch_template.go" },
    "aws:ec2/natGateway:NatGateway": {
        keys: ["allocationId", "connectivityType", "privateIp", "secondaryPrivateIpAddressCount", "subnetId"],
        source: "terraform-provider-aws@04088eaa internal/service/ec2/vpc_nat_gateway.go",
    },
    "aws:ec2/routeTable:RouteTable": { keys: ["vpcId"], source: "terraform-provider-aws@02209241 internal/service/ec2/vpc_route_table.go" },
    "aws:ec2/routeTableAssociation:RouteTableAssociation": {
        keys: ["subnetId", "gatewayId"],
        source: "terraform-provider-aws@0be71beb internal/service/ec2/vpc_route_table_association.go",
    },
    "aws:ec2/securityGroup:SecurityGroup": {
        keys: ["name", "namePrefix", "description", "vpcId"],
        source: "terraform-provider-aws@01606926 internal/service/ec2/vpc_security_group.go",
    },
    "aws:ec2/subnet:Subnet": {
        keys: [
            "availabilityZone",
            "availabilityZoneId",
            "cidrBlock",
            "ipv4IpamPoolId",
            "ipv4NetmaskLength",
            "ipv6IpamPoolId",
            "ipv6Native",
            "ipv6NetmaskLength",
            "outpostArn",
            "vpcId",
        ],
        source: "terraform-provider-aws@00cda125 internal/service/ec2/vpc_subnet.go",
    },
    "aws:ec2/vpc:Vpc": {
        keys: ["cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"],
        source: "terraform-provider-aws@00081ce4 internal/service/ec2/vpc_.go",
    },
    "aws:iam/instanceProfile:InstanceProfile": {
        keys: ["name", "namePrefix", "path"],
        source: "terraform-provider-aws@013f1736 internal/service/iam/instance_profile.go",
    },
    "aws:iam/role:Role": { keys: ["name", "namePrefix", "path"], source: "terraform-provider-aws@0040ea69 internal/service/iam/role.go" },
    "aws:iam/rolePolicy:RolePolicy": {
        keys: ["name", "namePrefix", "role"],
        source: "terraform-provider-aws@02f97af8 internal/service/iam/role_policy.go",
    },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
        keys: ["role", "policyArn"],
        source: "terraform-provider-aws@04c79849 internal/service/iam/role_policy_attachment.go",
    },
    "aws:kms/alias:Alias": { keys: ["name", "namePrefix"], source: "terraform-provider-aws@01c08000 internal/service/kms/alias.go" },
    "aws:kms/key:Key": {
        keys: ["customerMasterKeySpec", "customKeyStoreId", "keyUsage", "multiRegion", "xksKeyId"],
        source: "terraform-provider-aws@00a35305 internal/service/kms/key.go",
    },
    "aws:lb/listener:Listener": { keys: ["loadBalancerArn"], source: "terraform-provider-aws@01c08000 internal/service/elbv2/listener.go" },
    "aws:lb/loadBalancer:LoadBalancer": {
        keys: ["name", "namePrefix", "internal", "loadBalancerType", "customerOwnedIpv4Pool"],
        source: "terraform-provider-aws@00edc94b internal/service/elbv2/load_balancer.go",
    },
    "aws:lb/targetGroup:TargetGroup": {
        keys: ["name", "namePrefix", "port", "protocol", "protocolVersion", "targetType", "vpcId", "ipAddressType"],
        source: "terraform-provider-aws@013cfb4c internal/service/elbv2/target_group.go",
    },
    "aws:s3/bucket:Bucket": {
        keys: ["bucket", "bucketPrefix", "objectLockEnabled"],
        source: "hashicorp/terraform-provider-aws internal/service/s3/bucket.go",
    },
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": {
        keys: ["bucket", "expectedBucketOwner"],
        source: "terraform-provider-aws@01606926 internal/service/s3/bucket_lifecycle_configuration.go",
    },
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": {
        keys: ["bucket"],
        source: "terraform-provider-aws@01c08000 internal/service/s3/bucket_ownership_controls.go",
    },
    "aws:s3/bucketPolicy:BucketPolicy": {
        keys: ["bucket"],
        source: "terraform-provider-aws@0073593e internal/service/s3/bucket_policy.go",
    },
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
        keys: ["bucket"],
        source: "terraform-provider-aws@01606926 internal/service/s3/bucket_public_access_block.go",
    },
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": {
        keys: ["bucket", "expectedBucketOwner"],
        source: "terraform-provider-aws@01606926 internal/service/s3/bucket_server_side_encryption_configuration.go",
    },
    "aws:sns/topic:Topic": {
        keys: ["name", "namePrefix", "fifoTopic"],
        source: "terraform-provider-aws@00a35305 internal/service/sns/topic.go",
    },
    "aws:sns/topicPolicy:TopicPolicy": { keys: ["arn"], source: "terraform-provider-aws@00a35305 internal/service/sns/topic_policy.go" },
    "aws:sns/topicSubscription:TopicSubscription": {
        keys: ["endpoint", "protocol", "topic"],
        source: "terraform-provider-aws@04a2e6e5 internal/service/sns/topic_subscription.go",
    },
    "aws:cloudwatch/eventRule:EventRule": {
        keys: ["name", "namePrefix", "eventBusName"],
        source: "hashicorp/terraform-provider-aws internal/service/events/rule.go (name and bus ForceNew, as for the target; not re-read: unverified)",
    },
    "aws:cloudwatch/eventTarget:EventTarget": {
        keys: ["rule", "targetId", "eventBusName"],
        source: "hashicorp/terraform-provider-aws@0762c41e internal/service/events/target.go (rule, target_id, event_bus_name ForceNew)",
    },
    "aws:ssm/document:Document": {
        keys: ["name"],
        source: "hashicorp/terraform-provider-aws@0105d219 internal/service/ssm/document.go (name ForceNew; content goes through UpdateDocument, refused only for schema 1.x, and becomes the default version)",
    },
    "aws:ssm/maintenanceWindow:MaintenanceWindow": {
        keys: [],
        source: "terraform-provider-aws@013f1736 internal/service/ssm/maintenance_window.go",
    },
    "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask": {
        keys: ["windowId", "taskType"],
        source: "terraform-provider-aws@0105d219 internal/service/ssm/maintenance_window_task.go",
    },
    "aws:ssm/patchBaseline:PatchBaseline": {
        keys: ["operatingSystem"],
        source: "terraform-provider-aws@0831fa5f internal/service/ssm/patch_baseline.go",
    },
    "aws:ssm/patchGroup:PatchGroup": {
        keys: ["baselineId", "patchGroup"],
        source: "terraform-provider-aws@0673f2ed internal/service/ssm/patch_group.go",
    },
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": {
        keys: ["securityGroupId"],
        source: "hashicorp/terraform-provider-aws internal/service/ec2/vpc_security_group_ingress_rule.go",
    },
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {
        keys: ["securityGroupId"],
        source: "hashicorp/terraform-provider-aws internal/service/ec2/vpc_security_group_ingress_rule.go",
    },
    "cloudflare:index/loadBalancer:LoadBalancer": {
        keys: ["zoneId"],
        source: "terraform-provider-cloudflare v5.22.0 internal/services/load_balancer/schema.go",
    },
    "cloudflare:index/loadBalancerMonitor:LoadBalancerMonitor": {
        keys: ["accountId"],
        source: "terraform-provider-cloudflare v5.22.0 internal/services/load_balancer_monitor/schema.go",
    },
    "cloudflare:index/loadBalancerPool:LoadBalancerPool": {
        keys: ["accountId"],
        source: "terraform-provider-cloudflare v5.22.0 internal/services/load_balancer_pool/schema.go",
    },
    "cloudflare:index/notificationPolicy:NotificationPolicy": {
        keys: ["accountId"],
        source: "terraform-provider-cloudflare v5.22.0 internal/services/notification_policy/schema.go",
    },
    "cloudflare:index/notificationPolicyWebhooks:NotificationPolicyWebhooks": {
        keys: ["accountId"],
        source: "terraform-provider-cloudflare v5.22.0 internal/services/notification_policy_webhooks/schema.go",
    },
    "cloudflare:index/r2Bucket:R2Bucket": {
        keys: ["accountId", "name"],
        source: "terraform-provider-cloudflare v5.22.0 internal/services/r2_bucket/schema.go",
    },
    "cloudflare:index/accountToken:AccountToken": {
        keys: ["accountId"],
        source: "terraform-provider-cloudflare v5.22.0 internal/services/account_token/schema.go",
    },
    "cloudflare:index/apiToken:ApiToken": {
        keys: [],
        source: "terraform-provider-cloudflare v5.22.0 internal/services/api_token/schema.go (no RequiresReplace)",
    },
    "cloudflare:index/dnsRecord:DnsRecord": {
        keys: ["zoneId", "type"],
        source: "terraform-provider-cloudflare v5.22.0 internal/services/dns_record/schema.go",
    },
    "cloudflare:index/logpushJob:LogpushJob": {
        keys: ["accountId", "zoneId", "dataset"],
        source: "terraform-provider-cloudflare v5.22.0 internal/services/logpush_job/schema.go",
    },
    "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle": {
        keys: ["accountId", "bucketName"],
        source: "terraform-provider-cloudflare v5.22.0 internal/services/r2_bucket_lifecycle/schema.go",
    },
    "cloudflare:index/r2BucketLock:R2BucketLock": {
        keys: ["accountId", "bucketName"],
        source: "terraform-provider-cloudflare v5.22.0 internal/services/r2_bucket_lock/schema.go",
    },
    "cloudflare:index/worker:Worker": {
        keys: ["accountId"],
        source: "terraform-provider-cloudflare v5.22.0 internal/services/worker/schema.go",
    },
    "cloudflare:index/workerVersion:WorkerVersion": {
        keys: [
            "accountId",
            "workerId",
            "compatibilityDate",
            "mainModule",
            "modules",
            "modules.name",
            "modules.contentType",
            "containers",
            "migrations",
            "packageDependencies",
            "placement",
            "bindings",
            "annotations",
            "compatibilityFlags",
            "usageModel",
            "assets",
            "cacheOptions",
            "limits",
        ],
        source: "terraform-provider-cloudflare v5.22.0 internal/services/worker_version/schema.go + custom.go",
    },
    "cloudflare:index/workersCronTrigger:WorkersCronTrigger": {
        keys: ["accountId", "scriptName"],
        source: "terraform-provider-cloudflare v5.22.0 internal/services/workers_cron_trigger/schema.go",
    },
    "pagerduty:index/escalationPolicy:EscalationPolicy": {
        keys: [],
        source: `${PAGERDUTY} pagerduty/resource_pagerduty_escalation_policy.go`,
    },
    "pagerduty:index/schedule:Schedule": { keys: [], source: `${PAGERDUTY} pagerduty/resource_pagerduty_schedule.go` },
    "pagerduty:index/service:Service": { keys: [], source: `${PAGERDUTY} pagerduty/resource_pagerduty_service.go` },
    "pagerduty:index/serviceIntegration:ServiceIntegration": {
        keys: ["type", "vendor", "service", "emailFilters"],
        source: `${PAGERDUTY} pagerduty/resource_pagerduty_service_integration.go`,
    },
    "cloudflare:index/workersDeployment:WorkersDeployment": {
        keys: ["accountId", "scriptName", "strategy", "versions", "annotations"],
        source: "terraform-provider-cloudflare v5.22.0 internal/services/workers_deployment/schema.go",
    },
    "cloudflare:index/workersKvNamespace:WorkersKvNamespace": {
        keys: ["accountId"],
        source: "terraform-provider-cloudflare v5.22.0 internal/services/workers_kv_namespace/schema.go",
    },
    "cloudflare:index/workersRoute:WorkersRoute": {
        keys: ["zoneId"],
        source: "terraform-provider-cloudflare v5.22.0 internal/services/workers_route/schema.go",
    },
    "cloudflare:index/workersScript:WorkersScript": {
        keys: ["accountId", "scriptName"],
        source: "terraform-provider-cloudflare v5.22.0 internal/services/workers_script/schema.go",
    },
    "kubernetes:core/v1:ConfigMap": {
        keys: ["metadata.name", "metadata.namespace", "data", "binaryData"],
        source: "pulumi-kubernetes@94977969d provider/pkg/provider/diff.go",
    },
    "kubernetes:core/v1:Namespace": { keys: ["metadata.name"], source: "pulumi-kubernetes@94977969d provider/pkg/provider/diff.go" },
    "kubernetes:core/v1:Secret": {
        keys: ["metadata.name", "metadata.namespace", "type", "data", "stringData"],
        source: "pulumi-kubernetes@94977969d provider/pkg/provider/diff.go",
    },
    "kubernetes:helm.sh/v3:Release": {
        keys: ["name", "namespace"],
        source: 'pulumi-kubernetes@94977969d provider/pkg/provider/helm_release.go Diff(): forceNewFields := {".name", ".namespace"}',
    },
    "kubernetes:monitoring.coreos.com/v1:Probe": {
        keys: ["metadata.name", "metadata.namespace"],
        source: "pulumi-kubernetes@94977969d provider/pkg/provider/diff.go",
    },
    "kubernetes:monitoring.coreos.com/v1:PrometheusRule": {
        keys: ["metadata.name", "metadata.namespace"],
        source: "pulumi-kubernetes@94977969d provider/pkg/provider/diff.go",
    },
    "pulumi:providers:aws": { keys: [], source: "a provider: the engine diffs its config (DiffConfig); not modelled here" },
    "pulumi:providers:cloudflare": { keys: [], source: "a provider: the engine diffs its config (DiffConfig); not modelled here" },
    "pulumi:providers:kubernetes": { keys: [], source: "a provider: the engine diffs its config (DiffConfig); not modelled here" },
    "pulumi:providers:pagerduty": { keys: [], source: "a provider: the engine diffs its config (DiffConfig); not modelled here" },
    "random:index/randomPassword:RandomPassword": {
        keys: [
            "keepers",
            "length",
            "special",
            "upper",
            "lower",
            "number",
            "numeric",
            "minNumeric",
            "minUpper",
            "minLower",
            "minSpecial",
            "overrideSpecial",
        ],
        source: "terraform-provider-random@c054b476 internal/provider/resource_password.go passwordSchemaV3()",
    },
};
