/**
 * Mock provider behaviour for the offline plan: plausible ids, ARNs and DNS names derived from
 * each resource's own inputs and its provider's region, so downstream wiring is exercised.
 * A data source without a mock fails loudly rather than returning something invented.
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";

const MOCK_ACCOUNT_ID = "123456789012";
/** The version the mocked Cloudflare API reports as live, so a canary has something to split with. */
export const MOCK_LIVE_WORKER_VERSION = "00000000-0000-4000-8000-0000000011fe";

function shortHash(text: string, length = 17): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/** "aws:ec2/securityGroup:SecurityGroup" -> service "ec2", kind "securityGroup" */
function awsTypeParts(type: string): { service: string; kind: string } {
    const [, module = "", kind = ""] = /^aws:([^/]+)\/([^:]+):/.exec(type) ?? [];
    return { service: module, kind };
}

const AWS_ID_PREFIX: Record<string, string> = {
    "aws:ec2/vpc:Vpc": "vpc",
    "aws:ec2/subnet:Subnet": "subnet",
    "aws:ec2/internetGateway:InternetGateway": "igw",
    "aws:ec2/natGateway:NatGateway": "nat",
    "aws:ec2/eip:Eip": "eipalloc",
    "aws:ec2/routeTable:RouteTable": "rtb",
    "aws:ec2/securityGroup:SecurityGroup": "sg",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt",
    "aws:ec2/flowLog:FlowLog": "fl",
};

/** What the mocked Cloudflare API reports as live in the account. */
export interface LiveCloudflare {
    /** Scripts in the account, with the Durable Object migration tag last applied to each. */
    scripts: Array<{ id: string; migrationTag: string }>;
    /** Deployments per script name, any order. */
    deployments: Record<string, Array<{ id: string; createdOn: string; versions: Array<{ versionId: string; percentage: number }> }>>;
}

/** Without a live state, every script has one deployment of MOCK_LIVE_WORKER_VERSION at 100%. */
export const MOCK_LIVE_DEPLOYMENT: LiveCloudflare["deployments"][string][number] = {
    id: "mock-live-deployment",
    createdOn: "2026-11-01T00:00:00Z",
    versions: [{ versionId: MOCK_LIVE_WORKER_VERSION, percentage: 100 }],
};

export class PlanMocks implements pulumi.runtime.Mocks {
    /** provider reference (`urn::id`) -> its AWS region and the account its credentials belong to */
    private readonly providers = new Map<string, { region: string; account: string }>();

    constructor(
        private readonly live?: LiveCloudflare,
        /** As in a first preview: resources echo their inputs and nothing a provider computes (ids, ARNs, names it picks) is known. */
        private readonly preview = false,
    ) {}

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
        const { type, name, inputs } = args;
        // In a preview the SDK takes an empty id and every missing output as unknown.
        if (this.preview) return { id: "", state: { ...inputs } };
        const { region, account } = this.awsProvider(args.provider);
        const id = this.idFor(type, name);
        const state: Record<string, unknown> = { ...inputs };
        if (type.startsWith("aws:")) {
            const { service, kind } = awsTypeParts(type);
            // The engine auto-names resources that take a name: logical name plus a random suffix.
            const resourceName = String(inputs["name"] ?? `${name}-${shortHash(name, 7)}`);
            state["name"] ??= resourceName;
            // AWS's own ARN formats where rules read them, a generic one elsewhere.
            // IAM is global: its ARNs name no region.
            const arnRegion = service === "iam" ? "" : region;
            state["arn"] ??=
                type === "aws:backup/vault:Vault"
                    ? `arn:aws:backup:${region}:${account}:backup-vault:${resourceName}`
                    : `arn:aws:${service}:${arnRegion}:${account}:${kind.toLowerCase()}/${resourceName}`;
            if (type === "aws:lb/loadBalancer:LoadBalancer") {
                state["dnsName"] = `${resourceName.slice(0, 20)}-${shortHash(name, 9)}.${region}.elb.amazonaws.com`;
                state["arnSuffix"] = `app/${resourceName}/${shortHash(name, 16)}`;
                state["zoneId"] = "Z35SXDOTRQ7X7K";
            }
            if (type === "aws:lb/targetGroup:TargetGroup") state["arnSuffix"] = `targetgroup/${resourceName}/${shortHash(name, 16)}`;
            if (type === "aws:kms/key:Key") state["keyId"] = id;
            if (type === "aws:backup/vault:Vault" || type === "aws:s3/bucket:Bucket" || type === "aws:s3/bucketV2:BucketV2")
                state["bucket"] ??= inputs["bucket"] ?? resourceName;
            if (type === "aws:ec2/launchTemplate:LaunchTemplate") state["latestVersion"] = 1;
        }
        // Every upload makes a new version; the same inputs stand for the same upload.
        if (type === "cloudflare:index/workerVersion:WorkerVersion") state["id"] = uuidFrom(name + JSON.stringify(inputs));
        if (type === "cloudflare:index/loadBalancer:LoadBalancer") state["name"] = inputs["name"];
        if (type.startsWith("kubernetes:")) {
            const metadata = (inputs["metadata"] ?? {}) as Record<string, unknown>;
            state["metadata"] = { ...metadata, name: metadata["name"] ?? name, uid: uuidFrom(name) };
        }
        if (type === "random:index/randomPassword:RandomPassword") state["result"] = "mock-password-never-used";
        // Cloudflare returns a token's value once, at creation (a secret output).
        if (type === "cloudflare:index/apiToken:ApiToken" || type === "cloudflare:index/accountToken:AccountToken")
            state["value"] = "mock-token-value-never-used";
        // PagerDuty makes each integration's routing key: 32 characters, its own per integration.
        if (type === "pagerduty:index/serviceIntegration:ServiceIntegration")
            state["integrationKey"] = shortHash(`integration-${name}`, 32);
        return { id: type === "cloudflare:index/workerVersion:WorkerVersion" ? String(state["id"]) : id, state };
    }

    /**
     * Called by the capture once an AWS provider's reference (`urn::id`) is known. The mocked
     * credentials belong to the first account the provider allows, as a correct deploy's do.
     */
    rememberProvider(reference: string, region: string, allowedAccountIds: readonly string[] = []): void {
        this.providers.set(reference, { region, account: allowedAccountIds[0] ?? MOCK_ACCOUNT_ID });
    }

    private awsProvider(reference: string | undefined): { region: string; account: string } {
        return (reference && this.providers.get(reference)) || { region: "us-east-1", account: MOCK_ACCOUNT_ID };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        const { region, account } = this.awsProvider(args.provider);
        switch (args.token) {
            case "aws:index/getAvailabilityZones:getAvailabilityZones": {
                const letters = ["a", "b", "c", "d", "e", "f"];
                return { names: letters.map((l) => `${region}${l}`), zoneIds: letters.map((_, i) => `use1-az${i + 1}`), id: region };
            }
            case "aws:ec2/getAmi:getAmi":
                return {
                    id: `ami-0${shortHash(JSON.stringify(args.inputs) + region, 16)}`,
                    architecture: "x86_64",
                    name: "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20261101",
                };
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return { accountId: account, arn: `arn:aws:iam::${account}:user/offline-plan`, userId: "AIDAOFFLINEPLAN", id: account };
            case "aws:index/getPartition:getPartition":
                return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
            case "aws:index/getRegion:getRegion":
                return { name: region, region, id: region };
            case "cloudflare:index/getWorkersDeployments:getWorkersDeployments": {
                const scriptName = String(args.inputs["scriptName"]);
                const deployments = (this.live ? (this.live.deployments[scriptName] ?? []) : [MOCK_LIVE_DEPLOYMENT]).map((d) => ({
                    ...d,
                    strategy: "percentage",
                }));
                return { accountId: args.inputs["accountId"], scriptName, results: deployments.length > 0 ? [{ deployments }] : [] };
            }
            case "cloudflare:index/getAccountApiTokenPermissionGroupsList:getAccountApiTokenPermissionGroupsList": {
                // As the API answers the query the provider's SDK sends (it URL-encodes the values
                // itself): the group of exactly that name at that scope, with a stable id. A name
                // encoded by the program would arrive encoded twice and match nothing.
                const name = String(args.inputs["name"] ?? "");
                const scope = String(args.inputs["scope"] ?? "");
                const known = name !== "" && !/%[0-9A-F]{2}/i.test(name);
                return {
                    accountId: args.inputs["accountId"],
                    results: known ? [{ id: shortHash(`permission-group:${scope}:${name}`, 32), name, scopes: [scope] }] : [],
                };
            }
            case "cloudflare:index/getWorkersScripts:getWorkersScripts":
                return {
                    accountId: args.inputs["accountId"],
                    results: (this.live?.scripts ?? []).map((s) => ({ ...s, createdOn: "2026-11-01T00:00:00Z" })),
                };
            case "github:index/getUser:getUser": {
                // GitHub answers a login with its numeric id, as a string (the provider's d.SetId(strconv.FormatInt(...))); stable per login here.
                const username = String(args.inputs["username"] ?? "");
                return { id: String(parseInt(shortHash(`github-user:${username}`, 7), 16)), login: username, username };
            }
            default:
                throw new Error(`offline plan: no mock for data source ${args.token}; add one to tools/plan/mocks.ts`);
        }
    }

    private idFor(type: string, name: string): string {
        const prefix = AWS_ID_PREFIX[type];
        return prefix ? `${prefix}-${shortHash(type + name)}` : `${name}-id`;
    }
}

function uuidFrom(text: string): string {
    const h = shortHash(text, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
