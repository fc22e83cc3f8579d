/**
 * Rules that span several config keys. Each returns problems as `{ path, message }` so the
 * loader can report them together with the schema's own, all at once.
 */
import {
    BACKUP_TIERS,
    COLD_STORAGE_MIN_DAYS,
    CONTINUOUS_MAX_RETENTION_DAYS,
    SEED_OBJECTIVES,
    EC2_BEST_RPO_MINUTES,
    formatMinutes,
    shiftWeekday,
    scheduleIntervalMinutes,
} from "../policies/lib/backupMatrix";
import { STACK_NAMES } from "../policies/lib/environments";
import { PROVIDER_CATALOGUE } from "../workers/gateway/src/providers/catalogue";
import { MODEL_PRICES } from "../workers/gateway/src/modelPrices";
import { SECRET_KEYS, type ParsedConfig } from "./schema";
import { cidrContains, parseCidr } from "./cidr";
import { CLOUDFLARE_PLANS, NOTIFICATION_TYPES, type NotificationType } from "../components/edge/notificationTypes";
import { BURN_RATE_TIERS, MIN_SLO_WINDOW_DAYS, burnRateFactor, errorBudget } from "../components/monitoring/sloRules";
import { patchWindows } from "../components/monitoring/alertRouting";
import { ANALYTICS_RETENTION_DAYS, kvExportWindowDays } from "../components/edge/kvExportRhythm";
import { workersCronLongestGapMinutes, workersCronProblem } from "./workersCron";

export interface Problem {
    path: string;
    message: string;
}

type Check = (config: ParsedConfig, context: { stack: string; secretKeys: ReadonlySet<string> }) => Problem[];

/**
 * Every physical name, backup selection, audit scope and patch target carries the environment,
 * so a stack whose file says another stack's environment would deploy into that stack's
 * resources: the stack's name and its environment must be one and the same.
 */
const environmentMatchesStack: Check = (c, { stack }) => {
    if (!(STACK_NAMES as readonly string[]).includes(stack))
        return [
            {
                path: "environment",
                message: `the stack "${stack}" is none of this project's environments (${STACK_NAMES.join(", ")}); every name the stack declares carries its environment, so "${c.environment}" would deploy into the ${c.environment} stack's resources. Name the stack after its environment`,
            },
        ];
    return c.environment !== stack
        ? [{ path: "environment", message: `is "${c.environment}" but the stack is "${stack}"; expected "${stack}"` }]
        : [];
};

const regionsAreDistinct: Check = (c) => {
    const problems: Problem[] = [];
    if (c.regions[0]?.standby) problems.push({ path: "regions[0].standby", message: "the first region is the primary; expected false" });
    c.regions.forEach((r, i) => {
        c.regions.slice(0, i).forEach((other, j) => {
            if (other.region === r.region)
                problems.push({ path: `regions[${i}].region`, message: `repeats regions[${j}]; expected each region once` });
            const a = parseCidr(r.cidrBlock);
            const b = parseCidr(other.cidrBlock);
            if (a && b && (cidrContains(a, b) || cidrContains(b, a)))
                problems.push({
                    path: `regions[${i}].cidrBlock`,
                    message: `${r.cidrBlock} overlaps regions[${j}] (${other.cidrBlock}); expected disjoint VPC ranges`,
                });
        });
    });
    return problems;
};

type SectionCheck<K extends keyof ParsedConfig> = (section: ParsedConfig[K]) => Problem[];

/** A group size at `path` (fleet.size, an off-hours period): minSize <= desiredCapacity <= maxSize. */
function fleetSizeProblems(path: string, s: ParsedConfig["fleet"]["size"]): Problem[] {
    if (s.minSize > s.maxSize)
        return [
            {
                path: `${path}.minSize`,
                message: `${s.minSize} is above maxSize ${s.maxSize}; expected minSize <= desiredCapacity <= maxSize`,
            },
        ];
    if (s.desiredCapacity < s.minSize || s.desiredCapacity > s.maxSize)
        return [
            {
                path: `${path}.desiredCapacity`,
                message: `${s.desiredCapacity} is outside ${s.minSize}..${s.maxSize}; expected minSize <= desiredCapacity <= maxSize`,
            },
        ];
    return [];
}

const fleetIsSafe: SectionCheck<"fleet"> = (fleet) => {
    const problems: Problem[] = [];
    for (const key of ["size", "standbySize"] as const) problems.push(...fleetSizeProblems(`fleet.${key}`, fleet[key]));
    const o = fleet.offHours;
    if (o) {
        if (o.businessEndHour <= o.businessStartHour)
            problems.push({
                path: "fleet.offHours.businessEndHour",
                message: `${o.businessEndHour} is not after businessStartHour ${o.businessStartHour}`,
            });
        for (const period of ["business", "offHours", "weekends"] as const)
            problems.push(...fleetSizeProblems(`fleet.offHours.${period}`, o[period]));
    }
    if (fleet.sshCidr) {
        const ssh = parseCidr(fleet.sshCidr);
        const internal = parseCidr(fleet.internalCidr);
        if (ssh && internal && !cidrContains(internal, ssh))
            problems.push({
                path: "fleet.sshCidr",
                message: `${fleet.sshCidr} is not inside the internal range ${fleet.internalCidr}; SSH is only ever opened to the internal range`,
            });
    }
    const internal = parseCidr(fleet.internalCidr);
    if (internal && internal.prefix < 8)
        problems.push({
            path: "fleet.internalCidr",
            message: `${fleet.internalCidr} is wider than a /8; expected a private range such as 10.0.0.0/8`,
        });
    const points = fleet.refresh.checkpointPercentages;
    if (points.some((p, i) => i > 0 && p <= points[i - 1]!) || points[points.length - 1] !== 100)
        problems.push({
            path: "fleet.refresh.checkpointPercentages",
            message: `[${points.join(", ")}] must rise and end at 100, e.g. [10, 50, 100]`,
        });
    const { criticalDays, highDays, mediumDays, windowSchedule } = fleet.patching;
    const windowInterval = scheduleIntervalMinutes(windowSchedule);
    if (windowInterval === undefined)
        problems.push({
            path: "fleet.patching.windowSchedule",
            message: `"${windowSchedule}" is not an AWS cron expression; expected e.g. cron(0 3 ? * TUE *)`,
        });
    else if (windowInterval > criticalDays * 24 * 60)
        problems.push({
            path: "fleet.patching.windowSchedule",
            message: `runs every ${formatMinutes(windowInterval)}, which cannot install critical patches within ${criticalDays} days`,
        });
    const waves = fleet.patching.waves;
    if (waves.some((w, i) => i > 0 && w <= waves[i - 1]!) || waves[waves.length - 1] !== 100)
        problems.push({ path: "fleet.patching.waves", message: `[${waves.join(", ")}] must rise and end at 100, e.g. [10, 50, 100]` });
    else if (waves.length > 1 && shiftWeekday(windowSchedule, 1) === undefined)
        problems.push({
            path: "fleet.patching.windowSchedule",
            message: `"${windowSchedule}" names no single weekday, so the later waves cannot run a day apart; expected a weekly cron such as cron(0 3 ? * WED *)`,
        });
    else if (windowInterval !== undefined)
        try {
            patchWindows(fleet.patching);
        } catch (error) {
            problems.push({ path: "fleet.patching.windowSchedule", message: (error as Error).message });
        }
    if (!(criticalDays <= highDays && highDays <= mediumDays))
        problems.push({
            path: "fleet.patching",
            message: `criticalDays ${criticalDays} <= highDays ${highDays} <= mediumDays ${mediumDays} expected`,
        });
    return problems;
};

/** The budget's and the anomaly monitor's alerts need someone to reach: AWS refuses a subscription without one. */
const costAlertsHaveARecipient: Check = (c) =>
    c.alerting.emails.length === 0
        ? [
              {
                  path: "alerting.emails",
                  message: "is empty; expected at least one address: the stack's budget and cost anomaly alerts go there",
              },
          ]
        : [];

/** Production serves around the clock; off-hours sizes are for the environments people use by day. */
const offHoursOutsideProduction: Check = (c) =>
    c.fleet.offHours && c.environment === "production"
        ? [{ path: "fleet.offHours", message: "is set in production, whose fleet serves around the clock; expected it unset" }]
        : [];

const fleetHasCertificates: Check = (c) =>
    c.regions
        .filter((r) => !c.fleet.certificateArns[r.region])
        .map((r) => ({
            path: `fleet.certificateArns.${r.region}`,
            message: `missing; expected the ACM certificate ARN for the HTTPS listener in ${r.region}`,
        }));

const backupTiersMeetTheMatrix: SectionCheck<"backup"> = (backup) => {
    const problems: Problem[] = [];
    for (const tier of BACKUP_TIERS) {
        const t = backup.tiers[tier];
        const path = `backup.tiers.${tier}`;
        const interval = scheduleIntervalMinutes(t.schedule);
        if (interval === undefined)
            problems.push({
                path: `${path}.schedule`,
                message: `"${t.schedule}" is not an AWS Backup schedule; expected cron(m h dom mon dow y) with one minute value (AWS Backup runs a rule at most once an hour)`,
            });
        else if (interval > t.rpoMinutes && !t.continuous)
            problems.push({
                path: `${path}.schedule`,
                message: `runs every ${formatMinutes(interval)}, which cannot meet the tier's RPO of ${formatMinutes(t.rpoMinutes)}; expected a schedule at least that frequent, or continuous: true`,
            });
        if (t.rpoMinutes > SEED_OBJECTIVES[tier].rpoMinutes)
            problems.push({
                path: `${path}.rpoMinutes`,
                message: `${t.rpoMinutes} is looser than the ${tier} tier's RPO of ${SEED_OBJECTIVES[tier].rpoMinutes} minutes`,
            });
        if (t.retentionDays < SEED_OBJECTIVES[tier].minRetentionDays)
            problems.push({
                path: `${path}.retentionDays`,
                message: `${t.retentionDays} is below the ${tier} tier's minimum of ${SEED_OBJECTIVES[tier].minRetentionDays} days`,
            });
        if (t.continuous && t.retentionDays > CONTINUOUS_MAX_RETENTION_DAYS)
            problems.push({
                path: `${path}.retentionDays`,
                message: `${t.retentionDays} days with continuous backup; AWS keeps continuous backups at most ${CONTINUOUS_MAX_RETENTION_DAYS} days`,
            });
        if (t.coldStorageAfterDays !== undefined && t.retentionDays < t.coldStorageAfterDays + COLD_STORAGE_MIN_DAYS)
            problems.push({
                path: `${path}.coldStorageAfterDays`,
                message: `cold storage after ${t.coldStorageAfterDays} days needs a retention of at least ${t.coldStorageAfterDays + COLD_STORAGE_MIN_DAYS} days (AWS keeps cold recovery points ${COLD_STORAGE_MIN_DAYS} days), but retentionDays is ${t.retentionDays}`,
            });
    }
    const gfs = backup.gfs;
    if (!(gfs.dailyDays <= gfs.weeklyDays && gfs.weeklyDays <= gfs.monthlyDays && gfs.monthlyDays <= gfs.yearlyDays))
        problems.push({ path: "backup.gfs", message: "expected dailyDays <= weeklyDays <= monthlyDays <= yearlyDays" });
    return [...problems, ...retentionsFitTheLock(backup)];
};

/**
 * Every rule's retention inside the vault lock's bounds: AWS fails a job outside them, and the
 * bounds are not moved to fit, since every lock argument replaces the lock.
 */
function retentionsFitTheLock(backup: ParsedConfig["backup"]): Problem[] {
    if (backup.lockMode === "none") return [];
    const { minRetentionDays: min, maxRetentionDays: max } = backup.lockBounds;
    if (min > max) return [{ path: "backup.lockBounds.minRetentionDays", message: `${min} is above maxRetentionDays ${max}` }];
    const keys = new Map<string, number>();
    for (const tier of BACKUP_TIERS) {
        keys.set(`backup.tiers.${tier}.retentionDays`, backup.tiers[tier].retentionDays);
        if (backup.tiers[tier].gfs)
            for (const period of ["daily", "weekly", "monthly", "yearly"] as const)
                keys.set(`backup.gfs.${period}Days`, backup.gfs[`${period}Days`]);
    }
    return [...keys]
        .filter(([, days]) => days < min || days > max)
        .map(([path, days]) => ({
            path,
            message: `${days} days lies outside the vault lock's ${min}..${max} (backup.lockBounds), so AWS would fail every job it runs. Keep it inside; moving the bounds replaces the ${backup.lockMode} lock, which protect, the vault policy and an expired grace period refuse: that is the break-glass procedure (README, "Vault lock")`,
        }));
}

/**
 * What the fleet's tier promises must hold for EC2: AWS Backup has no point-in-time recovery for
 * EC2 (continuous backup falls back to snapshots, at most hourly) and ignores cold storage for
 * EC2 recovery points (docs/provider-rules.md).
 */
const fleetTierFitsEc2: Check = (c) => {
    const tier = c.fleet.backupTier;
    const t = c.backup.tiers[tier];
    const problems: Problem[] = [];
    if (t.rpoMinutes < EC2_BEST_RPO_MINUTES)
        problems.push({
            path: "fleet.backupTier",
            message: `${tier} promises an RPO of ${formatMinutes(t.rpoMinutes)}, which EC2 cannot meet: AWS Backup has no point-in-time recovery for EC2 (continuous backups fall back to snapshots) and snapshots at most once an hour; expected a tier whose RPO is at least ${formatMinutes(EC2_BEST_RPO_MINUTES)}`,
        });
    if (t.coldStorageAfterDays !== undefined || (t.gfs && c.backup.gfs.coldStorageAfterDays !== undefined))
        problems.push({
            path: t.coldStorageAfterDays !== undefined ? `backup.tiers.${tier}.coldStorageAfterDays` : "backup.gfs.coldStorageAfterDays",
            message: `the fleet's tier moves recovery points to cold storage, which AWS Backup ignores for EC2 (an instance's point is an AMI); expected none for the tier fleet.backupTier names`,
        });
    return problems;
};

const notificationsFitThePlan: Check = (c) =>
    (Object.keys(NOTIFICATION_TYPES) as NotificationType[])
        .filter((n) => c.cloudflare.notifications[n])
        .filter((n) => CLOUDFLARE_PLANS.indexOf(NOTIFICATION_TYPES[n].minimumPlan) > CLOUDFLARE_PLANS.indexOf(c.cloudflare.plan))
        .map((n) => ({
            path: `cloudflare.notifications.${n}`,
            message: `${NOTIFICATION_TYPES[n].alertType} needs the ${NOTIFICATION_TYPES[n].minimumPlan} plan and cloudflare.plan is ${c.cloudflare.plan}: Cloudflare refuses the policy (error 17200); expected false, or the account's real plan`,
        }));

const backupCopiesHaveATarget: Check = (c) =>
    c.backup.crossRegionCopy && !c.regions.some((r) => r.standby)
        ? [
              {
                  path: "backup.crossRegionCopy",
                  message: "is true but no region has standby: true; add a standby region to copy to, or set it to false",
              },
          ]
        : [];

const edgeIsConsistent: SectionCheck<"edge"> = (edge) => {
    const problems: Problem[] = [];
    const order = edge.providers.order;
    if (new Set(order).size !== order.length)
        problems.push({ path: "edge.providers.order", message: `[${order.join(", ")}] repeats a provider; expected each once` });
    if (edge.rateLimit.burstSize > edge.rateLimit.maxRequests)
        problems.push({
            path: "edge.rateLimit.burstSize",
            message: `${edge.rateLimit.burstSize} is above maxRequests ${edge.rateLimit.maxRequests}`,
        });
    if (edge.concurrency.min > edge.concurrency.max)
        problems.push({ path: "edge.concurrency.min", message: `${edge.concurrency.min} is above max ${edge.concurrency.max}` });
    // Every answer is priced (the gateway's usage and spend alert): a served model without a price would count at $0.
    for (const name of order) {
        const key = `${PROVIDER_CATALOGUE[name].configPrefix}Model` as const;
        const model = edge.providers[key];
        if (!Object.hasOwn(MODEL_PRICES, model))
            problems.push({
                path: `edge.providers.${key}`,
                message: `${model} has no price in workers/gateway/src/modelPrices.ts; expected one of ${Object.keys(MODEL_PRICES).join(", ")}, or add its price with its source`,
            });
    }
    return [...problems, ...kvExportScheduleFits(edge.kvBackup)];
};

/**
 * The export's longest gap must leave a copy in R2 (retentionDays), and its staleness alert
 * must be able to see the last run (Analytics Engine keeps three months).
 */
function kvExportScheduleFits(kvBackup: ParsedConfig["edge"]["kvBackup"]): Problem[] {
    const path = "edge.kvBackup.cron";
    const unreadable = workersCronProblem(kvBackup.cron);
    if (unreadable) return [{ path, message: `"${kvBackup.cron}" is not a Workers cron (${unreadable}); expected e.g. 0 3 * * *` }];
    if (!kvBackup.enabled) return [];
    const gapDays = workersCronLongestGapMinutes(kvBackup.cron) / 1440;
    const problems: Problem[] = [];
    if (gapDays > kvBackup.retentionDays)
        problems.push({
            path,
            message: `"${kvBackup.cron}" waits up to ${+gapDays.toFixed(2)} days between exports, longer than edge.kvBackup.retentionDays (${kvBackup.retentionDays}): the last export would expire before the next. Expected a schedule at least every ${kvBackup.retentionDays} days`,
        });
    else if (kvExportWindowDays(kvBackup.cron) > ANALYTICS_RETENTION_DAYS)
        problems.push({
            path,
            message: `"${kvBackup.cron}" waits up to ${+gapDays.toFixed(2)} days between exports; the staleness alert reads the runs from Analytics Engine, which keeps ${ANALYTICS_RETENTION_DAYS} days. Expected a shorter schedule`,
        });
    return problems;
}

const secretsAreSet: Check = (c, { secretKeys }) => {
    const problems: Problem[] = [];
    // The postmortem: a provider without its key made the provider manager fail at runtime.
    for (const provider of new Set(c.edge.providers.order)) {
        const key = PROVIDER_CATALOGUE[provider].secretConfigKey;
        if (!c[key])
            problems.push({
                path: key,
                message: `missing, but edge.providers.order uses ${provider}; set it with \`pulumi config set --secret ops-platform:${key} ...\``,
            });
    }
    for (const key of SECRET_KEYS) {
        if (c[key] !== undefined && !secretKeys.has(key))
            problems.push({
                path: key,
                message: `is stored in plain text; expected a secret: \`pulumi config set --secret ops-platform:${key} ...\``,
            });
    }
    return problems;
};

/** The account an ARN names (its fifth field). */
const accountOf = (arn: string) => arn.split(":")[4] ?? "";

const monitoringIsReachable: Check = (c) => {
    const problems: Problem[] = [];
    if (c.monitoring.enabled) {
        for (const key of ["kubeconfig", "slackWebhookUrl", "slackInfraWebhookUrl"] as const) {
            if (!c[key])
                problems.push({
                    path: key,
                    message: `missing, but monitoring.enabled is true; set it with \`pulumi config set --secret ops-platform:${key} ...\``,
                });
        }
        if (!c.monitoring.clusterOidcProviderArn)
            problems.push({
                path: "monitoring.clusterOidcProviderArn",
                message:
                    "missing, but monitoring.enabled is true; expected the cluster's IAM OIDC provider ARN (the CloudWatch exporter's role trusts it)",
            });
        else if (!c.awsAccountIds.includes(accountOf(c.monitoring.clusterOidcProviderArn)))
            problems.push({
                path: "monitoring.clusterOidcProviderArn",
                message: `names account ${accountOf(c.monitoring.clusterOidcProviderArn)}; expected one of awsAccountIds (${c.awsAccountIds.join(", ")})`,
            });
    }
    return problems;
};

/**
 * A stack that pages needs PagerDuty: declared here (onCall.manage, with its token and people)
 * or managed elsewhere (pagerdutyRoutingKey). What a stack would not read is refused, not ignored.
 */
const pagingHasAPath: Check = (c) => {
    const pages = c.monitoring.enabled && c.monitoring.paging;
    const setSecret = (key: string) => `set it with \`pulumi config set --secret ops-platform:${key} ...\``;
    const problems: Problem[] = [];
    if (!pages) {
        const why = c.monitoring.enabled ? "monitoring.paging is false" : "monitoring.enabled is false";
        for (const key of ["pagerdutyRoutingKey", "pagerdutyToken"] as const)
            if (c[key]) problems.push({ path: key, message: `is not read: ${why}, so this stack pages nobody; remove it` });
        if (c.onCall.manage)
            problems.push({ path: "onCall.manage", message: `is true, but ${why}: nothing would page the rotation; expected false` });
        return problems;
    }
    if (!c.onCall.manage) {
        if (!c.pagerdutyRoutingKey)
            problems.push({
                path: "pagerdutyRoutingKey",
                message: `missing, but this stack pages and onCall.manage is false; expected the Events API v2 key of the PagerDuty service managed elsewhere: ${setSecret("pagerdutyRoutingKey")}, or onCall.manage: true`,
            });
        if (c.pagerdutyToken) problems.push({ path: "pagerdutyToken", message: "is not read while onCall.manage is false; remove it" });
        return problems;
    }
    if (c.pagerdutyRoutingKey)
        problems.push({
            path: "pagerdutyRoutingKey",
            message: "is not read while onCall.manage is true: the keys come from the services declared here; remove it",
        });
    if (!c.pagerdutyToken)
        problems.push({
            path: "pagerdutyToken",
            message: `missing, but onCall.manage is true; expected a PagerDuty API token: ${setSecret("pagerdutyToken")}`,
        });
    for (const key of ["engineers", "teamLead", "engineeringManager", "vpEngineering"] as const)
        if (c.onCall[key] === undefined)
            problems.push({
                path: `onCall.${key}`,
                message: `missing, but onCall.manage is true; expected ${key === "engineers" ? "the rotation's 4 to 12 PagerDuty user ids" : "a PagerDuty user id"}`,
            });
    return problems;
};

const monitoringContentIsBuildable: SectionCheck<"monitoring"> = (monitoring) => {
    const problems: Problem[] = [];
    const names = monitoring.slos.map((s) => s.name);
    monitoring.slos.forEach((slo, i) => {
        if (names.indexOf(slo.name) !== i)
            problems.push({ path: `monitoring.slos[${i}].name`, message: `"${slo.name}" is used twice; expected unique SLO names` });
        // A tier whose threshold is a ratio above 1 can never fire: the error budget is too large for the window.
        for (const tier of BURN_RATE_TIERS) {
            const threshold = burnRateFactor(tier, monitoring.sloWindowDays) * errorBudget(slo.objective);
            if (threshold >= 1)
                problems.push({
                    path: `monitoring.slos[${i}].objective`,
                    message: `${slo.objective}% over ${monitoring.sloWindowDays} days makes the ${tier.long} burn-rate alert fire only above an error ratio of ${Number(threshold.toFixed(4))}, which no ratio reaches; expected a higher objective or a shorter window`,
                });
        }
        if (!monitoring.services.includes(slo.service))
            problems.push({
                path: `monitoring.slos[${i}].service`,
                message: `${slo.service} is not in monitoring.services (${monitoring.services.join(", ")}); expected a monitored service, or add it there`,
            });
    });
    if (monitoring.sloWindowDays < MIN_SLO_WINDOW_DAYS) {
        const slowest = BURN_RATE_TIERS.reduce((a, b) =>
            burnRateFactor(b, monitoring.sloWindowDays) < burnRateFactor(a, monitoring.sloWindowDays) ? b : a,
        );
        problems.push({
            path: "monitoring.sloWindowDays",
            message: `${monitoring.sloWindowDays} is too short for the burn-rate alerts: the ${slowest.long} tier would fire at a burn rate of ${burnRateFactor(slowest, monitoring.sloWindowDays)}x, which never spends the budget; expected at least ${MIN_SLO_WINDOW_DAYS}`,
        });
    }
    const { saturationWarningPercent: warn, saturationCriticalPercent: crit } = monitoring.thresholds;
    if (warn >= crit)
        problems.push({
            path: "monitoring.thresholds.saturationWarningPercent",
            message: `${warn} is not below saturationCriticalPercent ${crit}; expected the warning first`,
        });
    return problems;
};

/** ARNs of this stack's own resources name one of its accounts; a cross-account copy names another. */
const accountsAreConsistent: Check = (c) => {
    const allowed = c.awsAccountIds.join(", ");
    const problems: Problem[] = Object.entries(c.fleet.certificateArns)
        .filter(([, arn]) => !c.awsAccountIds.includes(accountOf(arn)))
        .map(([region, arn]) => ({
            path: `fleet.certificateArns.${region}`,
            message: `is in account ${accountOf(arn)}; expected one of this stack's awsAccountIds (${allowed})`,
        }));
    if (c.fleet.ebsKmsKeyArn && !c.awsAccountIds.includes(accountOf(c.fleet.ebsKmsKeyArn)))
        problems.push({
            path: "fleet.ebsKmsKeyArn",
            message: `is in account ${accountOf(c.fleet.ebsKmsKeyArn)}; expected one of this stack's awsAccountIds (${allowed})`,
        });
    const vault = c.backup.crossAccountVaultArn;
    if (vault && c.awsAccountIds.includes(accountOf(vault)))
        problems.push({
            path: "backup.crossAccountVaultArn",
            message: `is in account ${accountOf(vault)}, one of this stack's own; expected a vault in another account (3-2-1: one copy offsite)`,
        });
    return problems;
};

/**
 * The rules within one section: they run wherever the section is resolved, by the whole
 * config's validation and by a component given the section alone (config/sections.ts).
 */
const SECTION_CHECKS: { readonly [K in keyof ParsedConfig]?: SectionCheck<K> } = {
    fleet: fleetIsSafe,
    backup: backupTiersMeetTheMatrix,
    edge: edgeIsConsistent,
    monitoring: monitoringContentIsBuildable,
};

/** The section's own rules, for a section resolved alone. */
export function sectionProblems<K extends keyof ParsedConfig>(section: K, value: ParsedConfig[K]): Problem[] {
    return (SECTION_CHECKS[section] as SectionCheck<K> | undefined)?.(value) ?? [];
}

const eachSection: Check = (c) =>
    (Object.keys(SECTION_CHECKS) as Array<keyof ParsedConfig>).flatMap((section) => sectionProblems(section, c[section]));

export const CROSS_FIELD_CHECKS: readonly Check[] = [
    environmentMatchesStack,
    accountsAreConsistent,
    regionsAreDistinct,
    eachSection,
    fleetHasCertificates,
    fleetTierFitsEc2,
    notificationsFitThePlan,
    backupCopiesHaveATarget,
    secretsAreSet,
    monitoringIsReachable,
    pagingHasAPath,
    offHoursOutsideProduction,
    costAlertsHaveARecipient,
];
