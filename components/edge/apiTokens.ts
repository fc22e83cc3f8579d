import * as cloudflare from "../cloudflare";
import * as pulumi from "@pulumi/pulumi";

/**
 * Cloudflare permission groups by name, as a token policy takes them. Ids are looked up, not
 * pasted: the API lists them (`GET /user/tokens/permission_groups`, name URL-encoded) and a
 * name that matches nothing is an error here rather than a token with less than it needs.
 */
export function permissionGroups(names: readonly string[], opts: pulumi.InvokeOutputOptions): pulumi.Output<Array<{ id: string }>> {
    return pulumi.all(
        names.map((name) =>
            cloudflare.getApiTokenPermissionGroupsListOutput({ name: encodeURIComponent(name) }, opts).results.apply((groups) => {
                const group = groups.find((g) => g.name === name);
                if (!group) throw new Error(`Cloudflare has no API token permission group named "${name}"`);
                return { id: group.id };
            }),
        ),
    );
}

/** Token policy resources: the whole account, or the zones given. */
export const accountResource = (accountId: string) => JSON.stringify({ [`com.cloudflare.api.account.${accountId}`]: "*" });
export const zoneResource = (zoneId: string) => JSON.stringify({ [`com.cloudflare.api.account.zone.${zoneId}`]: "*" });
