import * as cloudflare from "../cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { PROTECT_BY_DEFAULT } from "../../config/schema";

export interface KvNamespacesArgs {
    accountId: string;
    /** Binding name -> title suffix, e.g. `{ CACHE: "cache" }`. Required. */
    bindings: Record<string, string>;
    /** Prefix of every title (`<service>-<environment>`), so the environment shows in the dashboard. Required. */
    titlePrefix: string;
    /** `protect` the namespaces. Optional. Defaults to PROTECT_BY_DEFAULT. */
    protect?: boolean;
}

/** Workers KV namespaces, one per binding, titled `<titlePrefix>-<suffix>`. */
export class KvNamespaces extends pulumi.ComponentResource {
    /** Binding name -> namespace id. */
    readonly ids: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: KvNamespacesArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:edge:KvNamespaces", name, {}, opts);
        const protect = args.protect ?? PROTECT_BY_DEFAULT;
        this.ids = Object.fromEntries(
            Object.entries(args.bindings).map(([binding, suffix]) => [
                binding,
                new cloudflare.WorkersKvNamespace(
                    `${name}-${suffix}`,
                    { accountId: args.accountId, title: `${args.titlePrefix}-${suffix}` },
                    { parent: this, protect },
                ).id,
            ]),
        );
        this.registerOutputs({ ids: this.ids });
    }
}
