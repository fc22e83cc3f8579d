/**
 * The PagerDuty resources this program uses, imported one by one, as components/cloudflare.ts
 * does: the type-check reads only these. At runtime the index still loads, so the package
 * registers as before.
 */
require("@pulumi/pagerduty");
export * as types from "@pulumi/pagerduty/types";
export { Provider } from "@pulumi/pagerduty/provider";
export { EscalationPolicy } from "@pulumi/pagerduty/escalationPolicy";
export { Schedule } from "@pulumi/pagerduty/schedule";
export { Service } from "@pulumi/pagerduty/service";
export { ServiceIntegration } from "@pulumi/pagerduty/serviceIntegration";
