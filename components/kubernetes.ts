/**
 * The Kubernetes kinds this program uses, imported one by one: `@pulumi/kubernetes`'s index
 * re-exports about 660 declaration files into each type-check. At runtime the index still
 * loads (a plain require), so the package registers as before.
 */
require("@pulumi/kubernetes");
export * as apiextensions from "@pulumi/kubernetes/apiextensions";
export * as core from "@pulumi/kubernetes/core";
import { Release } from "@pulumi/kubernetes/helm/v3/release";
/** Only the Release: helm/v3's index also brings the Chart class, whose YAML types import every API group. */
export const helm = { v3: { Release } };
export { Provider } from "@pulumi/kubernetes/provider";
