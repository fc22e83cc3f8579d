import * as cloudflare from "../cloudflare";
import * as pulumi from "@pulumi/pulumi";

/**
 * Cloudflare's scopes of token policies: a permission group belongs to one, and one name can
 * exist at several ("Logs Write" for the account and for a zone), so a lookup names its scope.
 */
export const TOKEN_SCOPES = {
    account: "com.cloudflare.api.account",
    zone: "com.cloudflare.api.account.zone",
    r2Bucket: "com.cloudflare.edge.r2.bucket",
} as const;
type Scope = keyof typeof TOKEN_SCOPES;

/**
 * Cloudflare permission groups by name and scope, as a token policy takes them. Ids are looked
 * up, not pasted, through the account's own endpoint (`GET /accounts/{id}/tokens/permission_groups`,
 * which an account token may call; the user endpoint needs a user token). The name goes as it
 * is: the provider's SDK URL-encodes the query itself, so an encoded name would arrive encoded
 * twice and match nothing (docs/provider-rules.md). A name that matches nothing at that scope
 * is an error here rather than a token with less than it needs.
 */
export function permissionGroups(
    accountId: string,
    scope: Scope,
    names: readonly string[],
    opts: pulumi.InvokeOutputOptions,
): pulumi.Output<Array<{ id: string }>> {
    const wanted = TOKEN_SCOPES[scope];
    return pulumi.all(
        names.map((name) =>
            cloudflare.getAccountApiTokenPermissionGroupsListOutput({ accountId, name, scope: wanted }, opts).results.apply((groups) => {
                const group = groups.find((g) => g.name === name && g.scopes.includes(wanted));
                if (!group) throw new Error(`Cloudflare has no API token permission group "${name}" at scope ${wanted}`);
                return { id: group.id };
            }),
        ),
    );
}

/** Token policy resources: the whole account, a zone, an R2 bucket (in the account's default jurisdiction). */
export const accountResource = (accountId: string) => JSON.stringify({ [`${TOKEN_SCOPES.account}.${accountId}`]: "*" });
export const zoneResource = (zoneId: string) => JSON.stringify({ [`${TOKEN_SCOPES.zone}.${zoneId}`]: "*" });
export const r2BucketResource = (accountId: string, bucketName: pulumi.Input<string>) =>
    pulumi.output(bucketName).apply((bucket) => JSON.stringify({ [`${TOKEN_SCOPES.r2Bucket}.${accountId}_default_${bucket}`]: "*" }));
