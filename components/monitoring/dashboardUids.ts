/** Grafana uids of the platform's dashboards: dashboards.ts gives them, alerts link to them. */
import type { MonitoredService } from "../../config/schema";

export const goldenDashboardUid = (service: MonitoredService): string => `golden-${service}`;
export const sloDashboardUid = (slo: string): string => `slo-${slo}`;
export const BACKUP_DASHBOARD_UID = "backup-status";
export const GATEWAY_USAGE_DASHBOARD_UID = "gateway-usage";
