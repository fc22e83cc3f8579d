/**
 * Every key of the `ops-platform:` config namespace, with its default.
 *
 * Defaults are the source documents' figures and are right for production; the stack files
 * set only what differs (dev turns things down). Objects are strict: an unknown key is an
 * error, so a typo never silently falls back to a default. Cross-field rules that a single
 * field cannot express live in config/rules.ts.
 */
import { z } from "zod";
import { BACKUP_TIERS, SEED_GFS, SEED_OBJECTIVES, SEED_SCHEDULES, type BackupTier } from "../policies/lib/backupMatrix";

import { STACK_NAMES } from "../policies/lib/environments";
import { PROVIDER_CATALOGUE, PROVIDER_NAMES, type ProviderName, type ProviderSecretKey } from "../workers/gateway/src/providers/catalogue";
import { CLOUDFLARE_PLANS } from "../components/edge/notificationTypes";
import { cidrProblem } from "./cidr";
import { RUNBOOKS_URL } from "./repository";

/** `protect` stateful resources unless a stack turns it off (dev). */
export const PROTECT_BY_DEFAULT = true;

/** Config keys whose value must come from `pulumi config set --secret` (a `secure:` value). */
export const SECRET_KEYS = [
    ...PROVIDER_NAMES.map((name): ProviderSecretKey => PROVIDER_CATALOGUE[name].secretConfigKey),
    "slackWebhookUrl",
    "slackInfraWebhookUrl",
    "pagerdutyRoutingKey",
    "pagerdutyToken",
    "kubeconfig",
] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

/** Keys this program read once, with why it no longer does: a stack file still setting one is told so, not asked about a typo. */
export const RETIRED_KEYS: Readonly<Record<string, string>> = {
    pagerdutyCloudwatchKey: 'the SNS topics page nothing; Alertmanager pages through pagerdutyRoutingKey (README "Paging")',
    "cloudflare.pagerdutyIntegrationId": 'Cloudflare\'s notifications go to Slack; Alertmanager pages (README "Paging")',
};

const cidr = z.string().superRefine((text, ctx) => {
    const problem = cidrProblem(text);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
});
/** A VPC: AWS allows /16 to /28, and each AZ takes a public and a private subnet SUBNET_NEW_BITS longer, at least /28. */
const vpcCidr = cidr.refine((text) => {
    const prefix = Number(text.split("/")[1]);
    return cidrProblem(text) !== undefined || (prefix >= 16 && prefix <= 24);
}, "expected a /16 to /24 VPC range: AWS allows at most /16, and each AZ's public and private subnets are 4 bits longer, at least /28");
/** A Workers cron trigger: five fields (minute hour day-of-month month day-of-week). */
const workersCron = z
    .string()
    .regex(/^\s*[\w*,\-/#?]+(\s+[\w*,\-/#?]+){4}\s*$/, "expected a Workers cron of five fields, such as 0 3 * * *");
/** An AWS cron expression: cron(minute hour day-of-month month day-of-week year). */
const AWS_CRON = /^cron\(\s*\S+(\s+\S+){5}\s*\)$/;
/** An SSM maintenance window schedule: an AWS cron, or rate(n unit) with n at least 1 (singular for 1). */
const awsSchedule = z
    .string()
    .regex(
        new RegExp(`${AWS_CRON.source}|^rate\\((1 (minute|hour|day)|([2-9]|[1-9]\\d+) (minutes|hours|days))\\)$`),
        "expected an AWS schedule such as cron(0 5 1 * ? *) or rate(2 days) (a rate of at least 1)",
    );
/** AWS Backup takes cron expressions only, at most once an hour (docs/provider-rules.md). */
const backupSchedule = z
    .string()
    .regex(AWS_CRON, "expected an AWS Backup cron expression such as cron(0 5 ? * * *); AWS Backup takes no rate()");
/** A PromQL label selector: matchers, with or without the braces. */
const promSelector = z
    .string()
    .regex(
        /^\{?\s*([a-zA-Z_]\w*\s*(=|!=|=~|!~)\s*"([^"\\]|\\.)*"\s*(,\s*[a-zA-Z_]\w*\s*(=|!=|=~|!~)\s*"([^"\\]|\\.)*"\s*)*)?\}?$/,
        'expected PromQL label matchers such as {job="gateway"}',
    );
const awsRegion = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "expected an AWS region such as us-east-1");
const percent = z.number().int().min(1).max(100);
/** A share strictly between 0 and 1, such as 0.05. */
const ratio = z.number().gt(0).lt(1);
const positiveInt = z.number().int().positive();
const arn = z.string().regex(/^arn:aws[a-z-]*:/, "expected an ARN (arn:aws:...)");

const region = z.strictObject({
    /** AWS region name. */
    region: awsRegion,
    /** VPC CIDR of this region's network; regions must not overlap. */
    cidrBlock: vpcCidr,
    /** A warm standby (DR) region: smaller fleet, failover target of the edge load balancer. */
    standby: z.boolean().default(false),
});

const network = z
    .strictObject({
        /** Availability zones per region. */
        azCount: z.number().int().min(1).max(6).default(3),
        /** NAT gateway per AZ (resilient) or one shared NAT gateway (cheap). */
        natGateways: z.enum(["perAz", "single"]).default("perAz"),
        /** Retention of VPC flow logs in CloudWatch Logs, days. */
        flowLogRetentionDays: positiveInt.default(90),
    })
    .prefault({});

const fleetSize = z.strictObject({
    minSize: z.number().int().min(0),
    desiredCapacity: z.number().int().min(0),
    maxSize: z.number().int().min(1),
});

const fleet = z
    .strictObject({
        instanceType: z.string().min(1).default("t3.medium"),
        /** A fixed AMI id; when unset the newest Ubuntu LTS from Canonical is looked up. */
        amiId: z
            .string()
            .regex(/^ami-[0-9a-f]+$/, "expected an AMI id such as ami-0123abcd")
            .optional(),
        amiNameFilter: z.string().default("ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"),
        /** Canonical's AWS account. */
        amiOwner: z.string().default("099720109477"),
        rootVolumeGb: z.number().int().min(8).default(50),
        /** Customer KMS key for the root volumes; the AWS-managed EBS key when unset. */
        ebsKmsKeyArn: arn.optional(),
        /** Size of the fleet in the primary region (seed: 3 instances). */
        size: fleetSize.prefault({ minSize: 3, desiredCapacity: 3, maxSize: 9 }),
        /** Size of the fleet in standby regions (warm standby). */
        standbySize: fleetSize.prefault({ minSize: 1, desiredCapacity: 1, maxSize: 9 }),
        /**
         * Off-hours sizes of a non-production fleet (the source documents' example: business hours
         * 8am-6pm 10 instances, off-hours 3, weekends 2), as scheduled actions of its group
         * (components/fleet/offHours.ts). Unset: the fleet keeps `size` around the clock.
         */
        offHours: z
            .strictObject({
                /** IANA time zone the hours are in. */
                timeZone: z.string().min(1).default("UTC"),
                businessStartHour: z.number().int().min(0).max(23).default(8),
                businessEndHour: z.number().int().min(1).max(24).default(18),
                business: fleetSize,
                offHours: fleetSize,
                weekends: fleetSize,
            })
            .optional(),
        healthCheckGracePeriodSeconds: positiveInt.default(300),
        /** ACM certificate for the HTTPS listener (one per region). */
        certificateArns: z.record(awsRegion, arn).default({}),
        sslPolicy: z.string().default("ELBSecurityPolicy-TLS13-1-2-2021-06"),
        deletionProtection: z.boolean().default(true),
        accessLogs: z.boolean().default(true),
        /** Internal range that SSH may come from when enabled (seed: 10.0.0.0/8). */
        internalCidr: cidr.default("10.0.0.0/8"),
        /** Open SSH (22) from this range; closed when unset. Must lie inside internalCidr. */
        sshCidr: cidr.optional(),
        /** Target average CPU of the autoscaling policy, percent. */
        cpuTargetPercent: percent.default(60),
        /** Rolling instance refresh: checkpoints follow the seed's 10% -> 50% -> 100% rollout. */
        refresh: z
            .strictObject({
                checkpointPercentages: z.array(percent).min(1).default([10, 50, 100]),
                checkpointDelaySeconds: positiveInt.default(600),
                minHealthyPercentage: z.number().int().min(0).max(100).default(90),
            })
            .prefault({}),
        /** The fleet's thresholds, read by its CloudWatch alarms and its Prometheus alerts alike (components/monitoring/alertRules.ts). */
        alarms: z
            .strictObject({
                /** ALB 5xx ratio above which the critical alarm and WebHighErrorRate fire (seed: 0.05). */
                error5xxRatio: ratio.default(0.05),
                /** CPU above which the warning alarm and HighCPUUsage fire, for cpuMinutes (golden signals: 85%). */
                cpuPercent: percent.default(85),
                cpuMinutes: positiveInt.default(10),
            })
            .prefault({}),
        /** Backup tier of the instances and volumes (the backup plans select on it). */
        backupTier: z.enum(BACKUP_TIERS).default("high"),
        patching: z
            .strictObject({
                /** Days within which a patch of each severity must be installed (seed: 7/30/90). */
                criticalDays: positiveInt.default(7),
                highDays: positiveInt.default(30),
                mediumDays: positiveInt.default(90),
                /**
                 * The first wave's weekly window (AWS cron); each later wave runs a day after the
                 * previous one. Production's default is Wednesday: after staging (Tuesday) and
                 * dev (Monday), which the source documents test patches in first.
                 */
                windowSchedule: awsSchedule.default("cron(0 3 ? * WED *)"),
                windowHours: z.number().int().min(1).max(24).default(3),
                /**
                 * The waves' cumulative shares of the fleet, a day apart, each started only while
                 * the fleet's alarms are OK (seed: production 10 -> 50 -> 100, non-production 100
                 * at once).
                 */
                waves: z.array(percent).min(1).default([10, 50, 100]),
            })
            .prefault({}),
    })
    .prefault({});

const alerting = z
    .strictObject({
        /** Addresses subscribed to the SNS alarm topic. */
        emails: z.array(z.string().email()).default([]),
    })
    .prefault({});

function tier(name: BackupTier, gfs: boolean, continuous: boolean) {
    const seed = SEED_OBJECTIVES[name];
    return z
        .strictObject({
            rpoMinutes: positiveInt.default(seed.rpoMinutes),
            rtoMinutes: positiveInt.default(seed.rtoMinutes),
            /** AWS Backup schedule expression. */
            schedule: backupSchedule.default(SEED_SCHEDULES[name]),
            retentionDays: positiveInt.default(seed.minRetentionDays),
            /** Continuous backup (point-in-time recovery) for resource types that support it. */
            continuous: z.boolean().default(continuous),
            /** Add the GFS rules (daily, weekly, monthly, yearly). */
            gfs: z.boolean().default(gfs),
            /** Move to cold storage after this many days; only where retention allows it. */
            coldStorageAfterDays: positiveInt.optional(),
        })
        .prefault({});
}

const backup = z
    .strictObject({
        tiers: z
            .strictObject({
                critical: tier("critical", true, true),
                high: tier("high", false, false),
                medium: tier("medium", false, false),
                low: tier("low", false, false),
            })
            .prefault({}),
        gfs: z
            .strictObject({
                dailyDays: positiveInt.default(SEED_GFS.dailyDays),
                weeklyDays: positiveInt.default(SEED_GFS.weeklyDays),
                monthlyDays: positiveInt.default(SEED_GFS.monthlyDays),
                yearlyDays: positiveInt.default(SEED_GFS.yearlyDays),
                /** GFS rules move to cold storage after this many days (seed: 7). */
                coldStorageAfterDays: positiveInt.default(7),
            })
            .prefault({}),
        startWindowMinutes: z.number().int().min(60).default(60),
        completionWindowMinutes: z.number().int().min(120).default(120),
        /** Vault lock: compliance (immutable), governance (removable by privileged users) or none. */
        lockMode: z.enum(["compliance", "governance", "none"]).default("compliance"),
        /** Days before a compliance lock becomes immutable (AWS minimum 3). */
        lockChangeableForDays: z.number().int().min(3).default(3),
        /**
         * The vault lock's retention bounds: every rule's retention must lie inside them (AWS
         * fails any job outside). Set apart from the rules so that a routine retention change never
         * touches the lock: every lock argument forces its replacement, which `protect`, the vault
         * policy and (after changeableForDays) the compliance lock itself refuse. Defaults: the
         * seeds' shortest retention (7 days) and their 7 compliance years (2555 days).
         */
        lockBounds: z
            .strictObject({
                minRetentionDays: positiveInt.default(Math.min(...Object.values(SEED_OBJECTIVES).map((o) => o.minRetentionDays))),
                maxRetentionDays: positiveInt.default(SEED_GFS.yearlyDays),
            })
            .prefault({}),
        /** The only role allowed to delete recovery points or change their lifecycle. */
        breakGlassRoleName: z.string().min(1).default("backup-break-glass"),
        /** Copy every rule's recovery points to the vault in the first standby region. */
        crossRegionCopy: z.boolean().default(true),
        /** Also copy to a vault in another account (3-2-1 across accounts). */
        crossAccountVaultArn: arn.optional(),
        restoreTesting: z
            .strictObject({
                enabled: z.boolean().default(true),
                /** Monthly, first day of the month at 05:00 UTC. */
                schedule: backupSchedule.default("cron(0 5 1 * ? *)"),
                /** Hours a restored resource is kept for validation before it is deleted. */
                validationWindowHours: z.number().int().min(1).max(168).default(24),
            })
            .prefault({}),
        /** Tiers the restore tests cover. */
        restoreTestTiers: z.array(z.enum(BACKUP_TIERS)).default(["critical", "high"]),
    })
    .prefault({});

const providerName = z.enum(PROVIDER_NAMES as [ProviderName, ...ProviderName[]]);

type Catalogue = typeof PROVIDER_CATALOGUE;
/** Each provider's `<configPrefix>Url` and `<configPrefix>Model`, with the catalogue's defaults. */
type ProviderEndpointShape = { [K in ProviderName as `${Catalogue[K]["configPrefix"]}Url`]: z.ZodDefault<z.ZodString> } & {
    [K in ProviderName as `${Catalogue[K]["configPrefix"]}Model`]: z.ZodDefault<z.ZodString>;
};
const providerEndpoints = Object.fromEntries(
    PROVIDER_NAMES.flatMap((name) => {
        const entry = PROVIDER_CATALOGUE[name];
        return [
            [`${entry.configPrefix}Url`, z.string().url().default(entry.defaultUrl)],
            [`${entry.configPrefix}Model`, z.string().min(1).default(entry.defaultModel)],
        ];
    }),
) as ProviderEndpointShape;
/** Our API key for each provider: a secret (SECRET_KEYS). */
const providerSecrets = Object.fromEntries(
    PROVIDER_NAMES.map((name) => [PROVIDER_CATALOGUE[name].secretConfigKey, z.string().min(1).optional()]),
) as {
    [K in ProviderSecretKey]: z.ZodOptional<z.ZodString>;
};

const edge = z
    .strictObject({
        workerName: z
            .string()
            .regex(/^[a-z0-9-]+$/, "expected lowercase letters, digits and dashes")
            .default("gateway"),
        compatibilityDate: z
            .string()
            .regex(/^\d{4}-\d{2}-\d{2}$/, "expected a date YYYY-MM-DD")
            .default("2026-04-01"),
        /**
         * Public hostname label under the zone: `<hostname>.<zoneName>`. One label: Universal SSL
         * covers the zone and its first-level subdomains only (docs/provider-rules.md).
         */
        hostname: z
            .string()
            .regex(
                /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
                "expected one DNS label such as api or api-staging (no dots: Universal SSL covers first-level subdomains only)",
            )
            .default("api"),
        /** Worker runtime settings (operations-training.md, Module 4): production's values. */
        cache: z
            .strictObject({
                size: positiveInt.default(200),
                ttlMs: positiveInt.default(7_200_000),
                cleanupIntervalMs: positiveInt.default(300_000),
            })
            .prefault({}),
        rateLimit: z
            .strictObject({
                maxRequests: positiveInt.default(2000),
                windowMs: positiveInt.default(60_000),
                burstSize: positiveInt.default(50),
                /** How long a request waits for the rate limiter's Durable Object before it counts as failed. */
                timeoutMs: positiveInt.default(1000),
                /**
                 * When the limiter fails (throws, errs, or times out): "closed" answers 503 with
                 * Retry-After, "open" serves unlimited; both are counted as the limiter's failed
                 * attempts (GatewayProviderFailing), never blamed on the client.
                 */
                onFailure: z.enum(["closed", "open"]).default("closed"),
            })
            .prefault({}),
        concurrency: z.strictObject({ max: positiveInt.default(100), min: positiveInt.default(10) }).prefault({}),
        /** Upstream AI providers, in failover order. */
        providers: z
            .strictObject({
                order: z.array(providerName).min(1).default(PROVIDER_NAMES),
                timeoutMs: positiveInt.default(10_000),
                /** One deadline for a whole request, every provider tried included. */
                deadlineMs: positiveInt.default(20_000),
                /**
                 * Retries of a provider's 5xx or 429 on that provider before failing over, after
                 * retryBackoffMs (doubling each time), only while half the deadline is left and
                 * never sooner than a 429's Retry-After. 0 fails over at once.
                 */
                retries: z.number().int().min(0).max(3).default(1),
                retryBackoffMs: positiveInt.default(200),
                /** A provider failing this many times in a row is skipped for circuitOpenMs, then probed by one request. */
                circuitFailures: positiveInt.default(3),
                circuitOpenMs: positiveInt.default(30_000),
                ...providerEndpoints,
            })
            .prefault({}),
        kvBackup: z
            .strictObject({
                /**
                 * Run the scheduled export. Off keeps the cron trigger with no schedule: the
                 * provider's delete of a trigger is a no-op that leaves its schedules running.
                 */
                enabled: z.boolean().default(true),
                /** Cron (Workers syntax) of the scheduled KV export. */
                cron: workersCron.default("0 3 * * *"),
                /**
                 * KV bindings exported. Not CACHE: its answers live cache.ttlMs (2 h) and are asked
                 * again on a miss, so 30 days of them under a lock would keep clients' answers long
                 * after they expired, for nothing a restore needs.
                 */
                bindings: z
                    .array(z.enum(["STATE", "CACHE"]))
                    .min(1)
                    .refine((b) => new Set(b).size === b.length, "expected each binding once")
                    .default(["STATE"]),
                retentionDays: positiveInt.default(30),
                prefix: z
                    .string()
                    .regex(/^[a-z0-9-]+\/$/, "expected a prefix ending in /")
                    .default("kv-backups/"),
                /** R2 bucket lock on the backup prefix (retention lock). */
                lock: z.boolean().default(true),
            })
            .prefault({}),
        /** The Workers' trace events (logs, exceptions) pushed to R2 and kept this many days. */
        logs: z.strictObject({ retentionDays: positiveInt.default(30) }).prefault({}),
        rollout: z
            .strictObject({
                /**
                 * Share of traffic a new Worker version gets beside the live one; 10 -> 50 -> 100
                 * promotes it (the seed's rollout). 100 deploys new versions at once.
                 */
                canaryPercent: percent.default(10),
                /** The steps `npm run canary` promotes a healthy canary through after canaryPercent, the last 100. */
                promoteTo: z
                    .array(percent)
                    .min(1)
                    .refine(
                        (steps) => steps.every((p, i) => i === 0 || p > steps[i - 1]!) && steps.at(-1) === 100,
                        "expected rising steps ending at 100, e.g. [50, 100]",
                    )
                    .default([50, 100]),
                /**
                 * The canary's verdict (`npm run canary`) over the last `windowMinutes` of the
                 * gateway's data points: hold while either version has fewer than `minRequests`;
                 * roll back when its 5xx share is above `errorRatioFactor` times the stable
                 * version's and above `errorRatioFloor`, or its p95 above `p95Factor` times the
                 * stable's and at least `p95MarginMs` more; otherwise promote.
                 */
                canary: z
                    .strictObject({
                        windowMinutes: positiveInt.default(10),
                        minRequests: positiveInt.default(100),
                        errorRatioFactor: z.number().min(1).default(2),
                        errorRatioFloor: ratio.default(0.01),
                        p95Factor: z.number().min(1).default(1.5),
                        p95MarginMs: positiveInt.default(20),
                        /** Windows a held canary waits for traffic before the rollout stops for a person. */
                        maxHolds: positiveInt.default(3),
                    })
                    .prefault({}),
                /** Roll back in one step: serve this version at 100% (see README). */
                pinnedVersionId: z
                    .string()
                    .regex(
                        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
                        "expected a Worker version id (a UUID, from `pulumi stack output edge`)",
                    )
                    .optional(),
            })
            .prefault({}),
        loadBalancer: z
            .strictObject({
                monitorIntervalSeconds: z.number().int().min(10).default(60),
                monitorRetries: z.number().int().min(0).max(5).default(2),
                monitorTimeoutSeconds: z.number().int().min(1).default(5),
                /** Origins must answer this many consecutive checks to be considered down/up. */
                consecutiveDown: positiveInt.default(3),
                consecutiveUp: positiveInt.default(2),
            })
            .prefault({}),
    })
    .prefault({});

/** Services whose signals monitoring knows (components/monitoring/signals.ts). */
const MONITORED_SERVICES = ["gateway", "web"] as const;
export type MonitoredService = (typeof MONITORED_SERVICES)[number];

const sloSpec = z.strictObject({
    name: z.string().regex(/^[a-z][a-z0-9-]*$/, "expected a lowercase name such as gateway-availability"),
    service: z.enum(MONITORED_SERVICES),
    /** Objective in percent, e.g. 99.9. */
    objective: z.number().gt(0).lt(100),
    /** Extra PromQL label matchers on the service's request metrics (components/monitoring/signals.ts), e.g. {provider="openai"}; empty: all of them. */
    selector: promSelector.default(""),
});

const monitoring = z
    .strictObject({
        enabled: z.boolean().default(true),
        namespace: z.string().default("monitoring"),
        /** kube-prometheus-stack chart version, pinned; its CRDs follow it through the chart's CRD upgrade job. */
        chartVersion: z.string().default("79.5.0"),
        /** busybox image tag of the chart's CRD upgrade job (the chart's own default is "latest"). */
        crdUpgradeJobBusyboxTag: z
            .string()
            .regex(/^\d+\.\d+\.\d+$/, "expected a busybox release tag such as 1.37.0")
            .default("1.37.0"),
        /** prometheus-blackbox-exporter chart version, pinned (probes of the public hostnames). */
        blackboxChartVersion: z.string().default("11.4.1"),
        retention: z
            .string()
            .regex(/^\d+[dhw]$/, "expected a Prometheus duration such as 30d")
            .default("30d"),
        storageSize: z
            .string()
            .regex(/^\d+(Gi|Ti)$/, "expected a size such as 100Gi")
            .default("100Gi"),
        prometheusReplicas: z.number().int().min(1).default(2),
        alertmanagerReplicas: z.number().int().min(1).default(3),
        /** Grafana keeps its state in sqlite, which one replica owns; more need an external database. */
        grafanaReplicas: z
            .number()
            .int()
            .min(1)
            .max(1, "Grafana runs on its built-in sqlite, which one replica owns; expected 1 (more replicas need an external database)")
            .default(1),
        /** SLO window in days (seed: 30). */
        sloWindowDays: positiveInt.default(30),
        slos: z.array(sloSpec).default([{ name: "gateway-availability", service: "gateway", objective: 99.9, selector: "" }]),
        /** P1 and P2 alerts page through PagerDuty; off, they go to their team's Slack only (dev and staging set it off). */
        paging: z.boolean().default(true),
        /** The `team` label of alerts by owner: the services' team and the infrastructure team (which routing sends to its own Slack). */
        teams: z
            .strictObject({
                service: z
                    .string()
                    .regex(/^[a-z][a-z0-9-]*$/, "expected a lowercase team name")
                    .default("backend"),
                infrastructure: z
                    .string()
                    .regex(/^[a-z][a-z0-9-]*$/, "expected a lowercase team name")
                    .default("infrastructure"),
            })
            .prefault({}),
        /** Services monitored: each gets its alerts and its golden-signals dashboard; the gateway (Worker) and web (ALB + fleet). */
        services: z.array(z.enum(MONITORED_SERVICES)).default(["gateway", "web"]),
        /**
         * The cluster's IAM OIDC provider (arn:aws:iam::<account>:oidc-provider/<issuer>): the
         * CloudWatch exporter's role trusts its service account through it (IRSA). Required
         * when monitoring is enabled.
         */
        clusterOidcProviderArn: z
            .string()
            .regex(
                /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/[^\s]+$/,
                "expected arn:aws:iam::<account>:oidc-provider/<issuer host and path>",
            )
            .optional(),
        /** Pinned charts of the exporters that bring AWS and Cloudflare signals in. */
        exporters: z
            .strictObject({
                /** prometheus-yet-another-cloudwatch-exporter (prometheus-community). */
                cloudwatchChartVersion: z.string().default("0.47.0"),
                /** cloudflare-exporter (lablabs). */
                cloudflareChartVersion: z.string().default("0.2.1"),
                /** prometheus-json-exporter (prometheus-community), reading the gateway's Analytics Engine data. */
                jsonChartVersion: z.string().default("0.20.0"),
            })
            .prefault({}),
        /** The Prometheus-only alert thresholds (the fleet's own are `fleet.alarms`, shared with CloudWatch). */
        thresholds: z
            .strictObject({
                /** Gateway 5xx share (and a provider's failure share) above which its alerts fire (it-operations/monitoring.md: 0.05). */
                gatewayErrorRatio: ratio.default(0.05),
                /** The gateway's own p95 and p99, ms (operations-training.md, Module 4 KPIs: 180 and 420). */
                gatewayP95Ms: positiveInt.default(180),
                gatewayP99Ms: positiveInt.default(420),
                /**
                 * A provider's spend over 24 hours, US dollars, above which GatewayProviderSpendHigh
                 * opens a ticket. The source documents give no figure: ours, per stack.
                 */
                gatewayProviderDailySpendUsd: z.number().positive().default(500),
                /** Cache hit share below which GatewayCacheHitRateLow warns (Module 4 KPI: 0.80). */
                cacheHitRatio: ratio.default(0.8),
                /** Web targets' p95 above which WebHighLatency warns, seconds (it-operations/monitoring.md HighLatency: 1). */
                webP95Seconds: z.number().positive().default(1),
                /** Memory and disk use that warn and that are critical, percent (the golden signals' saturation: 70 and 85). */
                saturationWarningPercent: percent.default(70),
                saturationCriticalPercent: percent.default(85),
            })
            .prefault({}),
        /** Where alerts link their runbooks (`<base>/<slug>.md`): by default this repository's docs/runbooks. */
        runbookBaseUrl: z.string().url().default(RUNBOOKS_URL),
        grafanaBaseUrl: z.string().url().default("https://grafana.example.com"),
    })
    .prefault({});

const cloudflare = z.strictObject({
    accountId: z.string().regex(/^[0-9a-f]{32}$/, "expected a 32-character hex Cloudflare account id"),
    zoneId: z.string().regex(/^[0-9a-f]{32}$/, "expected a 32-character hex Cloudflare zone id"),
    zoneName: z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, "expected a DNS zone such as example.com"),
    /** The account's Cloudflare plan: which notification types it may create (components/edge/notificationTypes.ts). */
    plan: z.enum(CLOUDFLARE_PLANS).default("business"),
    /** Edge notifications to declare; each needs its plan. The error-rate alert is Enterprise only, so off by default. */
    notifications: z
        .strictObject({
            loadBalancerHealth: z.boolean().default(true),
            edgeErrorRate: z.boolean().default(false),
        })
        .prefault({}),
});

/** A PagerDuty user id. Its format is not documented; the ids seen are seven uppercase letters and digits (P1GV5NT), so only names and emails are refused. */
const pagerdutyId = z.string().regex(/^[0-9A-Z]{6,}$/, "expected a PagerDuty user id such as PABC123 (not a name or an email)");

/**
 * Who is paged, declared in PagerDuty from this repository (components/oncall): a weekly
 * primary and secondary rotation (Monday to Monday) and the escalation of the source documents
 * (primary 0-5 min, secondary 5-15, team lead 15-30, engineering manager 30-60, VP engineering
 * 60+ for P1 only). Off, PagerDuty is managed elsewhere and `pagerdutyRoutingKey` is the key it gave.
 */
const onCall = z
    .strictObject({
        manage: z.boolean().default(false),
        /**
         * The rotation in order: each engineer is primary for a week, then secondary the next.
         * 4 to 12, the source documents' rotation size (4: two weeks between shifts; 12: context is lost).
         */
        engineers: z
            .array(pagerdutyId)
            .min(4, "expected at least 4 engineers in the rotation (two weeks between shifts)")
            .max(12, "expected at most 12 engineers in the rotation (more lose context)")
            .refine((ids) => new Set(ids).size === ids.length, "expected each engineer once")
            .optional(),
        teamLead: pagerdutyId.optional(),
        engineeringManager: pagerdutyId.optional(),
        vpEngineering: pagerdutyId.optional(),
        /** The first handoff, a Monday (ISO 8601 with its offset); the rotation turns weekly from it. */
        rotationStart: z.iso
            .datetime({ offset: true })
            .refine((start) => new Date(start).getUTCDay() === 1, "expected a Monday, when the rotation hands off")
            .default("2027-01-04T09:00:00Z"),
        /** The schedules' time zone (IANA), in which PagerDuty shows the shifts. */
        timeZone: z.string().min(1).default("UTC"),
    })
    .prefault({});

/**
 * What the stack may cost: AWS Budgets on its Environment tag (actual at 80% and 100%, forecast at
 * 100%, the source documents' thresholds), a Cost Anomaly Detection monitor, and the plan's
 * estimate judged against the budget (tools/plan/cost.ts).
 */
const cost = z.strictObject({
    /** The stack's monthly budget, USD. Required: every stack has one. */
    budgetMonthlyUsd: z.number().positive(),
    /** How the plan treats an estimate over the budget: a mandatory finding blocks the change, an advisory one is reported. */
    overBudgetLevel: z.enum(["advisory", "mandatory"]).default("mandatory"),
    /** A change that raises the estimate by more than this share counts toward its risk. */
    riskShare: ratio.default(0.1),
    /** An anomaly of at least this many dollars of impact reaches the alerting emails. */
    anomalyImpactUsd: z.number().positive().default(100),
    /**
     * Activate the cost allocation tags: an account setting, so one stack of an account owns it,
     * and only the organization's payer account may. Billing must have seen the tags first (up to
     * 24 hours after the first tagged resource): on a new account, deploy with false, then true.
     */
    activateAllocationTags: z.boolean().default(true),
});

const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "expected a time as HH:MM");

/**
 * How changes to this stack are let through (tools/gate.ts): the windows in which a change may
 * merge and deploy (outside them only an emergency change does; none means any time), and the
 * reviewers one of whom must approve a high-risk change (the GitHub environment's reviewers).
 */
const changeControl = z
    .strictObject({
        windows: z.array(z.strictObject({ weekdays: z.array(z.enum(WEEKDAYS)).min(1), start: hhmm, end: hhmm })).default([]),
        timeZone: z.string().min(1).default("UTC"),
        /** Who must approve a deploy to this stack's GitHub environment (and a high-risk change); GitHub takes up to six. */
        reviewers: z
            .array(z.string().regex(/^[A-Za-z0-9-]+$/, "expected a GitHub login"))
            .max(6, "GitHub takes at most 6 required reviewers per environment")
            .default([]),
        /** Minutes the environment waits after its approval before the deploy runs (GitHub: 0 to 43,200). */
        waitTimerMinutes: z.number().int().min(0).max(43_200).default(0),
    })
    .prefault({});

/** The whole `ops-platform:` namespace; secrets are listed in SECRET_KEYS and typed below. */
export const platformConfigSchema = z.strictObject({
    environment: z.enum(STACK_NAMES),
    service: z.string().min(1).default("ops-platform"),
    owner: z.string().min(1),
    costCenter: z.string().min(1),
    /** The AWS accounts this stack may deploy into; the AWS providers refuse any other. */
    awsAccountIds: z.array(z.string().regex(/^\d{12}$/, "expected a 12-digit AWS account id")).min(1),
    /** `protect` stateful resources (keys, vaults, buckets, namespaces) against deletion. */
    protectStatefulResources: z.boolean().default(PROTECT_BY_DEFAULT),
    regions: z
        .array(region)
        .min(1)
        .default([{ region: "us-east-1", cidrBlock: "10.0.0.0/16", standby: false }]),
    cloudflare,
    network,
    fleet,
    alerting,
    backup,
    edge,
    monitoring,
    onCall,
    cost,
    changeControl,
    ...providerSecrets,
    slackWebhookUrl: z.string().min(1).optional(),
    slackInfraWebhookUrl: z.string().min(1).optional(),
    /** PagerDuty Events API v2 integration key, where PagerDuty is managed elsewhere (onCall.manage off): Alertmanager's routing_key. */
    pagerdutyRoutingKey: z.string().min(1).optional(),
    /** PagerDuty API token with write access, where this repository declares the on-call (onCall.manage). */
    pagerdutyToken: z.string().min(1).optional(),
    kubeconfig: z.string().min(1).optional(),
});

/** Validated config with plain values; secrets are wrapped separately (see config/load.ts). */
export type ParsedConfig = z.output<typeof platformConfigSchema>;

/**
 * The config sections components take as their settings. A component resolves what it is
 * given with the section's schema, so every default lives in this file and nowhere else.
 */
export const CONFIG_SECTIONS = { network, fleet, alerting, backup, edge, monitoring, onCall } as const;
export type ConfigSection = keyof typeof CONFIG_SECTIONS;
/** What a component accepts for a section: any subset of its keys; the rest take their defaults. */
export type SectionInput<K extends ConfigSection> = z.input<(typeof CONFIG_SECTIONS)[K]>;

export type BackupConfig = ParsedConfig["backup"];
export type TierConfig = BackupConfig["tiers"][BackupTier];
export type EdgeConfig = ParsedConfig["edge"];
export type FleetConfig = ParsedConfig["fleet"];
export type MonitoringConfig = ParsedConfig["monitoring"];
export type OnCallConfig = ParsedConfig["onCall"];
export type CostConfig = ParsedConfig["cost"];
export type ChangeControlConfig = ParsedConfig["changeControl"];
export type SloSpec = MonitoringConfig["slos"][number];
