/**
 * Malformed stack files, each with the outcome a user should get: an error (exit 2) that names
 * the stack, the key and what is expected. None may crash, none may pass, no credential may be
 * echoed back.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { ConfigError, validateConfig } from "../../config/load";
import { rawPlatformConfig, readStackFile } from "../../tools/plan/stackFile";
import { ROOT, runTool } from "../helpers/cli";
import { scratchDir } from "../helpers/scratch";

const BASE = readFileSync(join(ROOT, "Pulumi.dev.yaml"), "utf8");
const OPENAI_LIKE = `sk-proj-${"Ab3".repeat(16)}`;
const CLOUDFLARE_LIKE = "x".repeat(8) + "Q9_pLm2ZrT7vWc4YhK1sNd8fGb6";
/** A Cloudflare account API token, its `cfat_` prefix and all, cut where a paste might cut it. */
const CLOUDFLARE_ACCOUNT_TOKEN = "cfat_Q9pLm2ZrT7vWc4.YhK1sNd8";

/** The dev stack file with `ops-platform:<key>` set (merged into objects) or removed. */
function withConfig(changes: Record<string, unknown>): string {
    const doc = parse(BASE) as { config: Record<string, unknown> };
    for (const [key, value] of Object.entries(changes)) {
        const full = key.includes(":") ? key : `ops-platform:${key}`;
        const current = doc.config[full];
        if (value === undefined) delete doc.config[full];
        else
            doc.config[full] =
                current &&
                typeof current === "object" &&
                !Array.isArray(current) &&
                value &&
                typeof value === "object" &&
                !Array.isArray(value)
                    ? { ...current, ...value }
                    : value;
    }
    return stringify(doc);
}
const region = (cidrBlock: string) => withConfig({ regions: [{ region: "us-east-1", cidrBlock }] });
/** The stack file with `alerting.emails` a list of `count` addresses, spliced in as text: yaml takes a second to stringify 250,000 items. */
const withLongEmailList = (count: number) =>
    withConfig({ alerting: { emails: ["LONG-LIST"] } }).replace(/^( *)- LONG-LIST$/m, (_, indent: string) =>
        `${indent}- a@b.c\n`.repeat(count).trimEnd(),
    );

/** [what, stack file text, substrings the error must contain] */
const CASES: Array<[string, string, string[]]> = [
    ["an empty file", "", ["dev:", "is empty; expected a mapping with a `config:` key"]],
    ["a file that is a list", "- a\n- b\n", ["dev:", "is a list; expected a mapping"]],
    ["a file that is a scalar", "hello\n", ["dev:", "is a string; expected a mapping"]],
    ["no config: key", "configuration:\n  ops-platform:owner: x\n", ["dev:", "has no `config:` key", "found configuration"]],
    ["config: that is a list", "config:\n  - ops-platform:owner\n", ["dev:", "`config:` is not a mapping"]],
    ["text that is not YAML", "config:\n  a: [1, 2\n", ["dev:", "is not valid YAML"]],
    ["config: with nothing under it", "config:\n", ["dev: ops-platform:owner: missing", "dev: ops-platform:environment: missing"]],
    [
        "a misspelt namespace",
        withConfig({ "ops-platfrom:monitoring": { enabled: false } }),
        ['dev: ops-platfrom:monitoring: unknown namespace "ops-platfrom"', 'did you mean "ops-platform:monitoring"?'],
    ],
    [
        "a namespace in the wrong case",
        withConfig({ "Ops-platform:edge": { hostname: "x" } }),
        ['dev: Ops-platform:edge: unknown namespace "Ops-platform"', 'did you mean "ops-platform:edge"?'],
    ],
    ["a namespace without its dash", withConfig({ "opsplatform:owner": "x" }), ['did you mean "ops-platform:owner"?']],
    [
        "a namespace of nobody's",
        withConfig({ "acme:thing": "x" }),
        ['dev: acme:thing: unknown namespace "acme"', "expected ops-platform: or a provider's namespace"],
    ],
    [
        "secure: on a key that is not a secret",
        withConfig({ owner: { secure: "v1:abc" } }),
        ["dev: ops-platform:owner: is a `secure:` value but not a secret; expected plain text"],
    ],
    ["an empty secure: value", withConfig({ openaiApiKey: { secure: "" } }), ["dev: ops-platform:openaiApiKey: `secure:` is empty"]],
    [
        "a secret in plain text",
        withConfig({ openaiApiKey: "plain" }),
        ["dev: ops-platform:openaiApiKey: is stored in plain text; expected a secret"],
    ],
    [
        "a secure value nested in an object",
        withConfig({ edge: { providers: { openaiUrl: { secure: "x" } } } }),
        ["dev: ops-platform:edge: holds a nested secure value"],
    ],
    [
        "an OpenAI key pasted as the account id",
        withConfig({ cloudflare: { accountId: OPENAI_LIKE } }),
        ["dev: ops-platform:cloudflare.accountId: a value that looks like a credential (not shown)"],
    ],
    [
        "a Cloudflare account token pasted as the account id",
        withConfig({ cloudflare: { accountId: CLOUDFLARE_ACCOUNT_TOKEN } }),
        ["dev: ops-platform:cloudflare.accountId: a value that looks like a credential (not shown)"],
    ],
    [
        "a Cloudflare token pasted as the zone id",
        withConfig({ cloudflare: { zoneId: CLOUDFLARE_LIKE } }),
        ["dev: ops-platform:cloudflare.zoneId: a value that looks like a credential (not shown)"],
    ],
    ["a CIDR with an octet above 255", region("999.30.0.0/16"), ["dev: ops-platform:regions[0].cidrBlock:", "octet 999 is above 255"]],
    ["a CIDR with prefix /33", region("10.30.0.0/33"), ["dev: ops-platform:regions[0].cidrBlock:", "prefix /33 is above /32"]],
    [
        "a CIDR with host bits set",
        region("10.30.1.0/16"),
        ["dev: ops-platform:regions[0].cidrBlock:", "has host bits set; expected the network address 10.30.0.0/16"],
    ],
    [
        "a VPC too small for the subnet layout",
        region("10.30.0.0/26"),
        ["dev: ops-platform:regions[0].cidrBlock:", "expected a /16 to /24 VPC range"],
    ],
    ["a VPC larger than AWS allows", region("10.0.0.0/8"), ["expected a /16 to /24 VPC range"]],
    ["an address without a prefix", region("10.30.0.0"), ["expected an IPv4 CIDR block such as 10.0.0.0/16"]],
    [
        "overlapping regions",
        withConfig({
            regions: [
                { region: "us-east-1", cidrBlock: "10.30.0.0/16" },
                { region: "us-west-2", cidrBlock: "10.30.0.0/20", standby: true },
            ],
            fleet: {
                certificateArns: {
                    "us-east-1": "arn:aws:acm:us-east-1:111122223333:certificate/a",
                    "us-west-2": "arn:aws:acm:us-west-2:111122223333:certificate/b",
                },
            },
        }),
        ["dev: ops-platform:regions[1].cidrBlock: 10.30.0.0/20 overlaps regions[0]"],
    ],
    [
        "SSH from outside the internal range",
        withConfig({ fleet: { sshCidr: "0.0.0.0/0" } }),
        ["dev: ops-platform:fleet.sshCidr: 0.0.0.0/0 is not inside the internal range"],
    ],
    ["a 5 MB string", withConfig({ owner: "x".repeat(5_000_000) }), ["dev:", "bytes; expected at most 1048576"]],
    ["a 250,000-element list", withLongEmailList(250_000), ["dev:", "bytes; expected at most 1048576"]],
    [
        "a 100 KB string",
        withConfig({ owner: "x".repeat(100_000) }),
        ["dev: ops-platform:owner: a text of 100000 characters; expected at most 65536"],
    ],
    [
        "a 2,000-element list",
        withConfig({ monitoring: { services: Array.from({ length: 2000 }, (_, i) => `s${i}`) } }),
        ["dev: ops-platform:monitoring: a list of 2000 items; expected at most 1000"],
    ],
    [
        "a Worker cron in words",
        withConfig({ edge: { kvBackup: { cron: "every day" } } }),
        ["dev: ops-platform:edge.kvBackup.cron:", "expected a Workers cron of five fields"],
    ],
    [
        "a Worker cron of four fields",
        withConfig({ edge: { kvBackup: { cron: "0 3 * *" } } }),
        ["dev: ops-platform:edge.kvBackup.cron:", "expected a Workers cron of five fields"],
    ],
    [
        "off-hours sizes out of order",
        withConfig({
            fleet: {
                offHours: {
                    business: { minSize: 1, desiredCapacity: 3, maxSize: 2 },
                    offHours: { minSize: 1, desiredCapacity: 1, maxSize: 2 },
                    weekends: { minSize: 1, desiredCapacity: 1, maxSize: 2 },
                },
            },
        }),
        ["dev: ops-platform:fleet.offHours.business.desiredCapacity:", "3 is outside 1..2; expected minSize <= desiredCapacity <= maxSize"],
    ],
    [
        "a Worker cron with minute 75",
        withConfig({ edge: { kvBackup: { cron: "75 3 * * *" } } }),
        ["dev: ops-platform:edge.kvBackup.cron:", '"75 3 * * *" is not a Workers cron', "expected e.g. 0 3 * * *"],
    ],
    [
        "a monthly KV export kept 7 days",
        withConfig({ edge: { kvBackup: { cron: "0 3 1 * *", retentionDays: 7 } } }),
        [
            "dev: ops-platform:edge.kvBackup.cron:",
            "waits up to 31 days between exports, longer than edge.kvBackup.retentionDays (7): the last export would expire before the next",
        ],
    ],
    [
        "a weekly KV export on Sunday (Workers weekday 1), kept 7 days, is fine but kept 6 is not",
        withConfig({ edge: { kvBackup: { cron: "0 3 * * 1", retentionDays: 6 } } }),
        ["dev: ops-platform:edge.kvBackup.cron:", "waits up to 7 days between exports, longer than edge.kvBackup.retentionDays (6)"],
    ],
    [
        "an AWS cron of four fields",
        withConfig({ backup: { tiers: { high: { schedule: "cron(0 * * *)" } } } }),
        ["dev: ops-platform:backup.tiers.high.schedule:", "expected an AWS Backup cron expression"],
    ],
    [
        "a restore-test schedule in words",
        withConfig({ backup: { restoreTesting: { schedule: "monthly" } } }),
        ["dev: ops-platform:backup.restoreTesting.schedule:", "expected an AWS Backup cron expression"],
    ],
    [
        "an Enterprise-only notification on a Business account",
        withConfig({ cloudflare: { notifications: { edgeErrorRate: true } } }),
        [
            "dev: ops-platform:cloudflare.notifications.edgeErrorRate: http_alert_edge_error needs the enterprise plan and cloudflare.plan is business: Cloudflare refuses the policy (error 17200)",
        ],
    ],
    [
        "patch waves that never reach the whole fleet",
        withConfig({ fleet: { patching: { waves: [10, 50] } } }),
        ["dev: ops-platform:fleet.patching.waves: [10, 50] must rise and end at 100"],
    ],
    [
        "patch waves a day apart from a window on no single weekday",
        withConfig({ fleet: { patching: { windowSchedule: "cron(0 3 * * ? *)", waves: [10, 100] } } }),
        ["dev: ops-platform:fleet.patching.windowSchedule:", "names no single weekday, so the later waves cannot run a day apart"],
    ],
    [
        "a patch window at a rate of zero days",
        withConfig({ fleet: { patching: { windowSchedule: "rate(0 days)" } } }),
        ["dev: ops-platform:fleet.patching.windowSchedule:", "a rate of at least 1"],
    ],
    [
        "a patch window in weeks",
        withConfig({ fleet: { patching: { windowSchedule: "rate(2 weeks)" } } }),
        ["dev: ops-platform:fleet.patching.windowSchedule:", "expected an AWS schedule"],
    ],
    [
        "an SLO selector without quotes",
        withConfig({ monitoring: { slos: [{ name: "gw", service: "gateway", objective: 99.9, selector: "job=gateway" }] } }),
        ["dev: ops-platform:monitoring.slos[0].selector:", 'expected PromQL label matchers such as {job="gateway"}'],
    ],
    [
        "monitoring without the cluster's OIDC provider",
        withConfig({ monitoring: { clusterOidcProviderArn: undefined } }),
        ["dev: ops-platform:monitoring.clusterOidcProviderArn: missing, but monitoring.enabled is true"],
    ],
    [
        "an OIDC provider that is not one",
        withConfig({ monitoring: { clusterOidcProviderArn: "arn:aws:iam::111122223333:role/eks" } }),
        ["dev: ops-platform:monitoring.clusterOidcProviderArn:", "expected arn:aws:iam::<account>:oidc-provider/"],
    ],
    [
        "an OIDC provider in another account",
        withConfig({
            monitoring: { clusterOidcProviderArn: "arn:aws:iam::999988887777:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/X" },
        }),
        ["dev: ops-platform:monitoring.clusterOidcProviderArn: names account 999988887777; expected one of awsAccountIds (111122223333)"],
    ],
    [
        "a service monitoring knows nothing of",
        withConfig({ monitoring: { services: ["gateway", "payments"] } }),
        ["dev: ops-platform:monitoring.services[1]:", "gateway", "web"],
    ],
    [
        "KV backups of a namespace twice",
        withConfig({ edge: { kvBackup: { bindings: ["STATE", "STATE"] } } }),
        ["dev: ops-platform:edge.kvBackup.bindings:", "expected each binding once"],
    ],
    [
        "a number in words",
        withConfig({ fleet: { size: { minSize: "three", desiredCapacity: 1, maxSize: 2 } } }),
        ["dev: ops-platform:fleet.size.minSize:", "expected number"],
    ],
    ["a region that is not a list", withConfig({ regions: "us-east-1" }), ["dev: ops-platform:regions:", "expected array"]],
    ["an unknown top-level key", withConfig({ colour: "blue" }), ["dev: ops-platform:colour: unknown key"]],
    [
        "a misspelt nested key",
        withConfig({ edge: { cahce: { size: 1 } } }),
        ['dev: ops-platform:edge.cahce: unknown key; did you mean "cache"?'],
    ],
    [
        "three Grafana replicas",
        withConfig({ monitoring: { grafanaReplicas: 3 } }),
        ["dev: ops-platform:monitoring.grafanaReplicas:", "expected 1"],
    ],
    [
        "a hostname two levels deep",
        withConfig({ edge: { hostname: "api.dev" } }),
        ["dev: ops-platform:edge.hostname:", "expected one DNS label"],
    ],
    [
        "an account id of five digits",
        withConfig({ awsAccountIds: ["12345"] }),
        ["dev: ops-platform:awsAccountIds[0]:", "expected a 12-digit AWS account id"],
    ],
    [
        "a pin that is not a version",
        withConfig({ edge: { rollout: { pinnedVersionId: "null" } } }),
        ["dev: ops-platform:edge.rollout.pinnedVersionId:", "expected a Worker version id"],
    ],
    ["a scalar where a section belongs", withConfig({ fleet: "big" }), ["dev: ops-platform:fleet:", "expected object"]],
    [
        "a schema problem and a cross-field problem together",
        withConfig({ environment: "prod", fleet: { size: { minSize: 4, desiredCapacity: 4, maxSize: 2 } } }),
        ['dev: ops-platform:environment: string "prod" is not allowed', "dev: ops-platform:fleet.size.minSize: 4 is above maxSize 2"],
    ],
    [
        "a CIDR error and a retention below the tier",
        withConfig({
            regions: [{ region: "us-east-1", cidrBlock: "10.30.0.0/33" }],
            backup: { tiers: { critical: { retentionDays: 3 } } },
        }),
        ["prefix /33", "dev: ops-platform:backup.tiers.critical.retentionDays: 3 is below the critical tier's minimum"],
    ],
];

const dir = scratchDir("malformed");

function outcome(text: string): { error?: unknown; accepted: boolean } {
    writeFileSync(join(dir, "Pulumi.dev.yaml"), text);
    try {
        validateConfig(rawPlatformConfig("dev", readStackFile("dev", dir)));
        return { accepted: true };
    } catch (error) {
        return { error, accepted: false };
    }
}

it(`covers at least 40 malformed stack files`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
});

it("splices a long list in as YAML that reads back as that list", () => {
    const emails = (parse(withLongEmailList(3)) as { config: Record<string, { emails: string[] }> }).config["ops-platform:alerting"]!
        .emails;
    expect(emails).toEqual(["a@b.c", "a@b.c", "a@b.c"]);
});

describe.each(CASES)("%s", (_, text, expected) => {
    it("is refused with an error naming the stack, the key and what is expected", () => {
        const { error, accepted } = outcome(text);
        expect(accepted).toBe(false);
        expect(error).toBeInstanceOf(ConfigError);
        const message = (error as ConfigError).message;
        for (const part of expected) expect(message).toContain(part);
        for (const line of message.split("\n")) expect(line).toMatch(/^dev: /);
        expect(message).not.toContain(OPENAI_LIKE);
        expect(message).not.toContain(CLOUDFLARE_LIKE);
        expect(message).not.toContain(CLOUDFLARE_ACCOUNT_TOKEN);
    });
});

it.each([
    ["999.30.0.0/16", region("999.30.0.0/16")],
    ["an empty file", ""],
])("through the command, %s exits 2 with the message and no stack trace", (_, text) => {
    const cli = scratchDir("malformed-cli");
    writeFileSync(join(cli, "Pulumi.dev.yaml"), text);
    const result = runTool("plan", ["dev", "--config-dir", cli]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^Config of stack "dev" is invalid:\ndev: /);
    expect(result.stderr).not.toMatch(/\n\s+at /);
});

it("refuses a stack whose name is not its environment, which would deploy into that environment's resources", () => {
    const qa = scratchDir("malformed-qa");
    writeFileSync(join(qa, "Pulumi.qa.yaml"), BASE);
    const result = runTool("plan", ["qa", "--config-dir", qa]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
        'qa: ops-platform:environment: the stack "qa" is none of this project\'s environments (dev, staging, production); every name the stack declares carries its environment, so "dev" would deploy into the dev stack\'s resources',
    );
});

it("the repository's own stack files are accepted", () => {
    expect(outcome(BASE).accepted).toBe(true);
});
