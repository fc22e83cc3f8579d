/** Monitoring rules: production is never without the stack that alerts on it. */
import type { StackRule } from "../engine";
import { ofType, stackIsProduction } from "../lib/resources";

const RELEASE = "kubernetes:helm.sh/v3:Release";

export const productionMonitoringEnabled: StackRule = {
    name: "production-monitoring-enabled",
    area: "monitoring",
    description: "Checks whether a production stack keeps its monitoring: a kube-prometheus-stack release and the alert rules it loads.",
    remediation:
        "Deploy kube-prometheus-stack with the platform's PrometheusRules in production (keep monitoring enabled), or disable this rule for a stack monitored elsewhere.",
    validateStack(resources, context) {
        if (!stackIsProduction(resources, context)) return [];
        const release = ofType(resources, RELEASE).some((r) => r.inputs["chart"] === "kube-prometheus-stack");
        const rules = ofType(resources, "kubernetes:monitoring.coreos.com/v1:PrometheusRule").length > 0;
        if (release && rules) return [];
        return [
            {
                kind: "violation",
                message: `Production must keep its monitoring: ${[release ? "" : "no kube-prometheus-stack release", rules ? "" : "no PrometheusRule"].filter(Boolean).join(", ")}.`,
            },
        ];
    },
};

export const MONITORING_RULES = [productionMonitoringEnabled];
