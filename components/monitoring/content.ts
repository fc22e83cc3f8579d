/**
 * What the monitoring stack runs, as pure functions of the config: every rule group (per
 * service, the platform's, backups', SLOs') with its links and teams, and every dashboard.
 * Monitoring ships them; the tests check them with promtool and the PromQL grammar.
 */
import type { FleetConfig, MonitoringConfig } from "../../config/schema";
import { backupAlertRules, gatewayAlertRules, platformAlertRules, webAlertRules } from "./alertRules";
import { backupDashboard, gatewayUsageDashboard, goldenSignalsDashboard, sloDashboard, type Dashboard } from "./dashboards";
import { withLinks, withTeams, type AlertGroup, type RuleGroup } from "./ruleTypes";
import type { SignalContext } from "./signals";
import { sloRules } from "./sloRules";

/**
 * Every rule group the platform runs, with links: the monitored services' alerts (only those in
 * `monitoring.services`), the platform's, backups' and the SLOs'. `fleetAlarms` are the
 * thresholds the fleet's CloudWatch alarms use, so the web alerts fire where they do;
 * `kvExportCron` the KV export's schedule while it runs (edge.kvBackup), watched then only.
 */
export function platformRuleGroups(
    config: MonitoringConfig,
    ctx: SignalContext,
    fleetAlarms: FleetConfig["alarms"],
    kvExportCron?: string,
): RuleGroup[] {
    const groups: AlertGroup[] = [
        ...gatewayAlertRules(ctx, config.thresholds, kvExportCron),
        ...webAlertRules(ctx, config.thresholds, fleetAlarms),
        ...platformAlertRules(config.namespace),
        ...backupAlertRules(),
        ...config.slos.flatMap((slo) => sloRules(slo, config.sloWindowDays, ctx)),
    ].filter((group) => group.service === undefined || config.services.includes(group.service));
    return withTeams(withLinks(groups, { runbookBaseUrl: config.runbookBaseUrl, grafanaBaseUrl: config.grafanaBaseUrl }), config.teams);
}

export function platformDashboards(config: MonitoringConfig, ctx: SignalContext): Dashboard[] {
    return [
        ...config.services.map((service) => goldenSignalsDashboard(service, ctx)),
        ...config.slos.map((slo) => sloDashboard(slo, config.sloWindowDays)),
        ...(config.services.includes("gateway") ? [gatewayUsageDashboard()] : []),
        backupDashboard(),
    ];
}
