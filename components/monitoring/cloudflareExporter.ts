import * as cloudflare from "../cloudflare";
import * as k8s from "../kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { accountResource, permissionGroups, zoneResource } from "../edge/apiTokens";

export interface CloudflareExporterArgs {
    accountId: string;
    zoneId: string;
    /** Kubernetes namespace the exporter runs in. Required. */
    namespace: pulumi.Input<string>;
    /** cloudflare-exporter chart version. Required. */
    chartVersion: string;
    /** Labels of every Kubernetes object. Required. */
    labels: Record<string, string>;
    /** `<service>-<environment>`: names the token. Required. */
    namePrefix: string;
}

const CHART_REPO = "https://lablabs.github.io/cloudflare-exporter/";
/** What the exporter's README asks of its token: analytics of the account and the zone, and the account's name. */
const CLOUDFLARE_EXPORTER_PERMISSIONS = { account: ["Account Analytics Read", "Account Settings Read"], zone: ["Analytics Read"] } as const;

/**
 * The Worker's requests, errors and CPU time from Cloudflare's GraphQL analytics, through
 * lablabs/cloudflare-exporter with a read-only token declared here. A user API token, not an
 * account token: the exporter's releases verify their token at /user/tokens/verify.
 */
export class CloudflareExporter extends pulumi.ComponentResource {
    constructor(name: string, args: CloudflareExporterArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:monitoring:CloudflareExporter", name, {}, opts);
        const token = new cloudflare.ApiToken(
            `${name}-token`,
            {
                name: `${args.namePrefix}-cloudflare-exporter-read`,
                policies: [
                    {
                        effect: "allow",
                        permissionGroups: permissionGroups(args.accountId, "account", CLOUDFLARE_EXPORTER_PERMISSIONS.account, {
                            parent: this,
                        }),
                        resources: accountResource(args.accountId),
                    },
                    {
                        effect: "allow",
                        permissionGroups: permissionGroups(args.accountId, "zone", CLOUDFLARE_EXPORTER_PERMISSIONS.zone, { parent: this }),
                        resources: zoneResource(args.zoneId),
                    },
                ],
            },
            { parent: this },
        );
        const secret = new k8s.core.v1.Secret(
            `${name}-token`,
            {
                metadata: { name: "cloudflare-exporter-token", namespace: args.namespace, labels: args.labels },
                stringData: { CF_API_TOKEN: token.value },
            },
            { parent: this },
        );
        new k8s.helm.v3.Release(
            name,
            {
                name: "cloudflare-exporter",
                chart: "cloudflare-exporter",
                version: args.chartVersion,
                repositoryOpts: { repo: CHART_REPO },
                namespace: args.namespace,
                atomic: true,
                values: {
                    // The token arrives from the Secret as CF_API_TOKEN; only this zone is read.
                    secretRef: secret.metadata.name,
                    env: [{ name: "CF_ZONES", value: args.zoneId }],
                    serviceMonitor: { enabled: true, interval: "60s", timeout: "30s", labels: {} },
                },
            },
            { parent: this, dependsOn: [secret] },
        );
        this.registerOutputs({});
    }
}
