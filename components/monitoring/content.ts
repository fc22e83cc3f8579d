/**
 * What the monitoring stack runs, as pure functions of the config: every rule group (per
 * service, the platform's, backups', SLOs') with its links and teams, and every dashboard.
 * Monitoring ships them; the tests check them with promtool and the PromQL grammar.
 */
import type { MonitoringConfig } from "../../config/schema";
import { backupAlertRules, gatewayAlertRules, platformAlertRules, webAlertRules } from "./alertRules";
import { backupDashboard, goldenSignalsDashboard, sloDashboard, type Dashboard } from "./dashboards";
import { withLinks, withTeams, type AlertRule, type RuleGroup } from "./ruleTypes";
import type { SignalContext } from "./signals";
import { sloRules } from "./sloRules";

/** Every rule group the platform runs: per service, the platform's, backups' and SLO rules, with links. */
export function platformRuleGroups(config: MonitoringConfig, ctx: SignalContext): RuleGroup[] {
    const groups = [...gatewayAlertRules(ctx), ...webAlertRules(ctx), ...platformAlertRules(), ...backupAlertRules(), ...config.slos.flatMap((slo) => sloRules(slo, config.sloWindowDays, ctx))];
    const dashboardFor = (alert: AlertRule) => {
        if (alert.labels["slo"]) return `slo-${alert.labels["slo"]}`;
        if (alert.alert.startsWith("Backup") || alert.alert.startsWith("Restore")) return "backup-status";
        return alert.alert.startsWith("Gateway") ? "golden-gateway" : "golden-web";
    };
    return withTeams(withLinks(groups, { runbookBaseUrl: config.runbookBaseUrl, grafanaBaseUrl: config.grafanaBaseUrl, dashboardFor }), config.teams);
}

export function platformDashboards(config: MonitoringConfig, ctx: SignalContext): Dashboard[] {
    return [...config.services.map((service) => goldenSignalsDashboard(service, ctx)), ...config.slos.map((slo) => sloDashboard(slo, config.sloWindowDays)), backupDashboard()];
}

