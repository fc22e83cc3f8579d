/**
 * The change-risk calibration, as a table of scenarios on the real plans: routine work scores
 * low, losing networks, data or load balancers scores high, and switching a safeguard off in
 * production is high-risk and, where a rule fits, a mandatory policy finding.
 */
import type { PlanDocument } from "../../tools/plan/document";
import { judge } from "../../tools/plan/judge";
import { planDiff } from "../../tools/plan/diff";
import { changeRisk, type Risk } from "../../tools/plan/risk";
import { planOf, type PlanResource } from "../helpers/plan";

type Resources = PlanResource[];
type Mutation = (resources: Resources) => Resources;

const pick =
    (type: string, nameIncludes = "") =>
    (rs: Resources) =>
        rs.filter((r) => r.type === type && r.name.includes(nameIncludes));
const first =
    (type: string, nameIncludes = "") =>
    (rs: Resources) =>
        pick(type, nameIncludes)(rs)[0]!;
const edit =
    (select: (rs: Resources) => PlanResource[], change: (r: PlanResource) => void): Mutation =>
    (rs) => {
        for (const r of select(rs)) change(r);
        return rs;
    };
const remove =
    (select: (rs: Resources) => PlanResource[]): Mutation =>
    (rs) => {
        const gone = new Set(select(rs).map((r) => r.urn));
        return rs.filter((r) => !gone.has(r.urn));
    };
const all =
    (...mutations: Mutation[]): Mutation =>
    (rs) =>
        mutations.reduce((acc, m) => m(acc), rs);

const version = first("cloudflare:index/workerVersion:WorkerVersion");
const deployment = first("cloudflare:index/workersDeployment:WorkersDeployment");
const codeChange = edit(
    (rs) => [version(rs)],
    (r) => ((r.inputs["modules"] as Array<Record<string, string>>)[0]!["contentBase64"] = "bmV3IGNvZGU="),
);
const canaryStep = edit(
    (rs) => [deployment(rs)],
    (r) => {
        r.inputs["versions"] = [
            { versionId: "00000000-0000-4000-8000-0000000000b2", percentage: 50 },
            { versionId: "00000000-0000-4000-8000-0000000011fe", percentage: 50 },
        ];
        r.inputs["annotations"] = { workersMessage: "canary 50%" };
    },
);
const rateLimit = edit(
    (rs) => [version(rs)],
    (r) => ((r.inputs["bindings"] as Array<Record<string, string>>).find((b) => b["name"] === "RATE_LIMIT_MAX_REQUESTS")!["text"] = "3000"),
);
const logRetention = edit(
    (rs) => pick("aws:cloudwatch/logGroup:LogGroup", "us-east-1")(rs),
    (r) => (r.inputs["retentionInDays"] = 60),
);
const oneSlo = all(
    edit(
        (rs) => pick("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "slo-gateway-availability-alerts")(rs),
        (r) => (r.inputs["spec"] = { changed: true }),
    ),
    edit(
        (rs) => pick("kubernetes:core/v1:ConfigMap", "slo-gateway-availability")(rs),
        (r) => (r.inputs["data"] = { changed: "true" }),
    ),
);

interface Scenario {
    stack: "dev" | "production";
    mutation: Mutation;
    classes: Array<Risk["riskClass"]>;
    /** The mandatory finding the change must raise, if a rule fits. */
    finding?: string;
}

const SCENARIOS: Record<string, Scenario> = {
    "a Worker code change": { stack: "production", mutation: all(codeChange, canaryStep), classes: ["standard"] },
    "a canary step, 10 -> 50": { stack: "production", mutation: canaryStep, classes: ["standard"] },
    "log retention, a canary step, a rate limit and one SLO": {
        stack: "production",
        mutation: all(logRetention, canaryStep, rateLimit, oneSlo),
        classes: ["standard"],
    },
    "adding an alarm": {
        stack: "production",
        mutation: (rs) => [
            ...rs,
            {
                ...first("aws:cloudwatch/metricAlarm:MetricAlarm", "cpu")(rs),
                urn: "urn:pulumi:production::ops-platform::aws:cloudwatch/metricAlarm:MetricAlarm::extra",
                name: "extra",
            },
        ],
        classes: ["standard"],
    },
    "replacing the production VPC": {
        stack: "production",
        mutation: edit(
            (rs) => pick("aws:ec2/vpc:Vpc", "us-east-1")(rs),
            (r) => (r.inputs["cidrBlock"] = "10.5.0.0/16"),
        ),
        classes: ["high-risk", "emergency"],
    },
    "deleting the DR backup vault": {
        stack: "production",
        mutation: remove(pick("aws:backup/vault:Vault", "backup-dr")),
        classes: ["high-risk", "emergency"],
    },
    "replacing a KMS key": {
        stack: "production",
        mutation: edit(
            (rs) => pick("aws:kms/key:Key", "backup-vault")(rs).slice(0, 1),
            (r) => (r.inputs["customerMasterKeySpec"] = "RSA_2048"),
        ),
        classes: ["high-risk", "emergency"],
    },
    "deleting the KV backup bucket": {
        stack: "production",
        mutation: remove(pick("cloudflare:index/r2Bucket:R2Bucket")),
        classes: ["high-risk", "emergency"],
    },
    "deleting a KV namespace": {
        stack: "production",
        mutation: remove(pick("cloudflare:index/workersKvNamespace:WorkersKvNamespace", "state")),
        classes: ["high-risk", "emergency"],
    },
    "replacing the Cloudflare load balancer": {
        stack: "production",
        mutation: edit(
            (rs) => pick("cloudflare:index/loadBalancer:LoadBalancer")(rs),
            (r) => (r.inputs["zoneId"] = "0".repeat(32)),
        ),
        classes: ["high-risk", "emergency"],
    },
    "switching production monitoring off": {
        stack: "production",
        mutation: remove((rs) =>
            rs.filter(
                (r) =>
                    r.type.startsWith("kubernetes:") ||
                    r.type === "pulumi:providers:kubernetes" ||
                    r.type === "random:index/randomPassword:RandomPassword",
            ),
        ),
        classes: ["high-risk", "emergency"],
        finding: "production-monitoring-enabled",
    },
    "switching production backups off": {
        stack: "production",
        mutation: remove((rs) => rs.filter((r) => r.type === "aws:backup/plan:Plan" || r.type === "aws:backup/selection:Selection")),
        classes: ["high-risk", "emergency"],
        finding: "backup-resources-protected-by-plan",
    },
    "removing the vault lock": {
        stack: "production",
        mutation: remove(pick("aws:backup/vaultLockConfiguration:VaultLockConfiguration")),
        classes: ["high-risk", "emergency"],
        finding: "backup-vault-locked",
    },
    "switching load balancer deletion protection off": {
        stack: "production",
        mutation: edit(
            (rs) => pick("aws:lb/loadBalancer:LoadBalancer")(rs),
            (r) => (r.inputs["enableDeletionProtection"] = false),
        ),
        classes: ["high-risk", "emergency"],
        finding: "alb-deletion-protection",
    },
    "removing protect from a vault": {
        stack: "production",
        mutation: edit(
            (rs) => pick("aws:backup/vault:Vault", "backup-dr")(rs),
            (r) => (r.options = { ...r.options, protect: false }),
        ),
        classes: ["high-risk", "emergency"],
        finding: "protect-stateful-production",
    },
    "replacing the dev VPC": {
        stack: "dev",
        mutation: edit(
            (rs) => pick("aws:ec2/vpc:Vpc")(rs),
            (r) => (r.inputs["cidrBlock"] = "10.31.0.0/16"),
        ),
        classes: ["standard", "normal"],
    },
};

describe("change risk calibration", () => {
    it.each(Object.entries(SCENARIOS))("%s", async (_, scenario) => {
        const baseline = await planOf(scenario.stack);
        const resources = scenario.mutation(structuredClone(baseline.resources) as Resources);
        const current: PlanDocument = { ...baseline, resources };
        const changes = planDiff(baseline, current).changes;
        expect(changes.length).toBeGreaterThan(0);
        const risk = changeRisk(scenario.stack, changes);
        // The reasons ride along so a failure shows why the class came out as it did.
        expect({ inExpectedClasses: scenario.classes.includes(risk.riskClass), riskClass: risk.riskClass, reasons: risk.reasons }).toEqual({
            inExpectedClasses: true,
            riskClass: risk.riskClass,
            reasons: risk.reasons,
        });
        const mandatory = judge(scenario.stack, resources)
            .filter((f) => f.status === "violation" && f.level === "mandatory")
            .map((f) => f.policy);
        if (scenario.finding) expect(mandatory).toContain(scenario.finding);
        else expect(mandatory).toEqual([]);
    });
});
