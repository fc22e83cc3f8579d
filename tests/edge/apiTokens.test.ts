/**
 * Permission groups are looked up the way the provider's SDK sends the query: it URL-encodes the
 * values itself (cloudflare-go internal/apiquery, then url.Values.Encode), so the program must
 * pass the plain name; and one name can exist at several scopes, so the lookup names its scope.
 */
import * as pulumi from "@pulumi/pulumi";

const TOKEN = "cloudflare:index/getAccountApiTokenPermissionGroupsList:getAccountApiTokenPermissionGroupsList";
const calls: Array<Record<string, unknown>> = [];

beforeAll(() => {
    pulumi.runtime.setMocks(
        {
            newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
            // As the API answers a name that exists at two scopes, were the scope filter not applied.
            call: (args) => {
                if (args.token !== TOKEN) throw new Error(`unexpected invoke ${args.token}`);
                calls.push(args.inputs);
                const name = String(args.inputs["name"]);
                return {
                    results: [
                        { id: "zone-logs-write", name, scopes: ["com.cloudflare.api.account.zone"] },
                        { id: "account-logs-write", name, scopes: ["com.cloudflare.api.account"] },
                    ],
                };
            },
        },
        "ops-platform",
        "dev",
    );
});

const resolved = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));

it("asks for the plain name at its scope, on the account's endpoint, and keeps the group of that scope", async () => {
    const { permissionGroups } = await import("../../components/edge/apiTokens");
    const groups = await resolved(permissionGroups("0123456789abcdef0123456789abcdef", "account", ["Logs Write"], {}));
    expect(calls).toEqual([{ accountId: "0123456789abcdef0123456789abcdef", name: "Logs Write", scope: "com.cloudflare.api.account" }]);
    expect(groups).toEqual([{ id: "account-logs-write" }]);
});
