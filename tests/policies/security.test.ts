import {
    albDeletionProtection,
    albHttpRedirectsOnly,
    albModernTls,
    ebsEncrypted,
    ec2Imdsv2Required,
    kmsKeyRotation,
    kubernetesSecretNotPlaintext,
    logpushCredentialsSecret,
    noPublicIngress,
    protectStatefulProduction,
    s3BucketEncrypted,
    workerNoPlaintextSecrets,
} from "../../policies/rules/security";
import { WORKER_BINDING_TYPES } from "../../policies/lib/resourceCatalogue";
import type { PolicyResource } from "../../policies/engine";
import { changed, findingsOf, isType, productionResources, stackResources, violations, without } from "./harness";

const ALL = [
    ec2Imdsv2Required,
    ebsEncrypted,
    s3BucketEncrypted,
    noPublicIngress,
    albModernTls,
    albHttpRedirectsOnly,
    albDeletionProtection,
    kmsKeyRotation,
    workerNoPlaintextSecrets,
    kubernetesSecretNotPlaintext,
    logpushCredentialsSecret,
    protectStatefulProduction,
];
const LT = "aws:ec2/launchTemplate:LaunchTemplate";

it.each(ALL.map((r) => [r.name, r] as const))("%s passes on every stack of this repository", async (_, rule) => {
    for (const stack of ["dev", "staging", "production"]) expect(findingsOf(rule, await stackResources(stack), { stack })).toEqual([]);
});

it.each([
    ["optional tokens", { httpTokens: "optional", httpPutResponseHopLimit: 1 }, 'httpTokens is "optional"'],
    ["no metadata options", undefined, 'httpTokens is "optional (default)", hop limit is "unset"'],
    ["a hop limit of 2", { httpTokens: "required", httpPutResponseHopLimit: 2 }, "hop limit is 2"],
])("ec2-imdsv2-required fails %s", async (_, options, expected) => {
    const resources = changed(await productionResources(), isType(LT, "us-east-1"), (r) => {
        r.inputs["metadataOptions"] = options;
    });
    expect(violations(findingsOf(ec2Imdsv2Required, resources))).toEqual([
        `EC2 instance metadata must require IMDSv2 with hop limit 1: ${expected}.`,
    ]);
});

it("ebs-encrypted fails an unencrypted launch template volume", async () => {
    const resources = changed(await productionResources(), isType(LT, "us-east-1"), (r) => {
        (r.inputs["blockDeviceMappings"] as Array<{ ebs: Record<string, unknown> }>)[0]!.ebs["encrypted"] = "false";
    });
    expect(violations(findingsOf(ebsEncrypted, resources))).toEqual(["EBS volumes must be encrypted; 1 block device(s) are not."]);
});

it("s3-bucket-encrypted fails a bucket without an encryption configuration", async () => {
    const resources = without(
        await productionResources(),
        isType("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "us-west-2"),
    );
    expect(violations(findingsOf(s3BucketEncrypted, resources))).toEqual(["S3 bucket must have a server-side encryption configuration."]);
});

describe("no-public-ingress", () => {
    it("fails SSH from anywhere", async () => {
        const resources = changed(
            await productionResources(),
            isType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "us-east-1-web-instances-in-app"),
            (r) => {
                Object.assign(r.inputs, { fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" });
                delete r.inputs["referencedSecurityGroupId"];
            },
        );
        expect(violations(findingsOf(noPublicIngress, resources))).toEqual([
            "Ingress from anywhere is allowed only on 80/443 of a load balancer; port 22 is open on a group no load balancer uses.",
        ]);
    });

    it("fails a wide range on the load balancer's group", async () => {
        const resources = changed(
            await productionResources(),
            isType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "us-east-1-web-alb-in-443"),
            (r) => {
                Object.assign(r.inputs, { fromPort: 0, toPort: 65535 });
            },
        );
        expect(violations(findingsOf(noPublicIngress, resources))).toEqual([
            "Ingress from anywhere is allowed only on 80/443 of a load balancer; ports 0-65535 is open.",
        ]);
    });
});

const listener = (port: number) => (r: PolicyResource) =>
    r.type === "aws:lb/listener:Listener" && r.inputs["port"] === port && r.name.includes("us-east-1");

it.each([
    ["the 2016-08 default", undefined, '"ELBSecurityPolicy-2016-08 (default)"'],
    ["a TLS 1.0 policy", "ELBSecurityPolicy-TLS-1-0-2015-04", '"ELBSecurityPolicy-TLS-1-0-2015-04"'],
])("alb-modern-tls fails %s", async (_, policy, shown) => {
    const resources = changed(await productionResources(), listener(443), (l) => {
        l.inputs["sslPolicy"] = policy;
    });
    expect(violations(findingsOf(albModernTls, resources))).toEqual([
        `HTTPS listener must use a TLS 1.2+ forward-secret or TLS 1.3 policy; it uses ${shown}.`,
    ]);
});

it("alb-http-redirects-only fails an HTTP listener that forwards", async () => {
    const resources = changed(await productionResources(), listener(80), (l) => {
        l.inputs["defaultActions"] = [{ type: "forward", targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/x" }];
    });
    expect(violations(findingsOf(albHttpRedirectsOnly, resources))).toEqual(["HTTP listener must only redirect to HTTPS."]);
});

it("alb-deletion-protection fails a production load balancer without it, not a dev one", async () => {
    const resources = changed(await productionResources(), isType("aws:lb/loadBalancer:LoadBalancer", "us-west-2"), (l) => {
        l.inputs["enableDeletionProtection"] = false;
    });
    expect(violations(findingsOf(albDeletionProtection, resources))).toEqual(["Production load balancer must have deletion protection."]);
    expect(violations(findingsOf(albDeletionProtection, await stackResources("dev"), { stack: "dev" }))).toEqual([]);
});

it("kms-key-rotation fails a key without rotation", async () => {
    const resources = changed(await productionResources(), isType("aws:kms/key:Key", "backup-vault"), (k) => {
        k.inputs["enableKeyRotation"] = false;
    });
    expect(violations(findingsOf(kmsKeyRotation, resources))).toEqual(["KMS key must have automatic rotation enabled."]);
});

describe("worker-no-plaintext-secrets", () => {
    it("fails a credential bound as a plain_text var", async () => {
        const resources = changed(await productionResources(), isType("cloudflare:index/workerVersion:WorkerVersion"), (v) => {
            (v.inputs["bindings"] as unknown[]).push({ type: "plain_text", name: "STRIPE_API_KEY", text: "sk_test" });
        });
        expect(violations(findingsOf(workerNoPlaintextSecrets, resources))).toEqual([
            "Worker bindings must not hold credentials in plain text: STRIPE_API_KEY is a plain_text var.",
        ]);
    });

    it("fails a secret_text binding whose value is not a Pulumi secret, on every Worker resource type", async () => {
        for (const type of WORKER_BINDING_TYPES) {
            const resources = changed(await productionResources(), isType("cloudflare:index/workerVersion:WorkerVersion"), (v) => {
                v.type = type;
                (v.inputs["bindings"] as Array<{ name: string; text?: string }>).find((b) => b.name === "OPENAI_API_KEY")!.text =
                    "sk-live-plain";
            });
            expect(violations(findingsOf(workerNoPlaintextSecrets, resources))).toEqual([
                "Worker bindings must not hold credentials in plain text: OPENAI_API_KEY is not a Pulumi secret.",
            ]);
        }
    });
});

it("kubernetes-secret-not-plaintext fails plain stringData, and trusts the engine where secrets are unwrapped", async () => {
    const resources = changed(await productionResources(), isType("kubernetes:core/v1:Secret", "grafana-admin"), (s) => {
        s.inputs["stringData"] = { "admin-user": "admin", "admin-password": "hunter2" };
    });
    expect(violations(findingsOf(kubernetesSecretNotPlaintext, resources))).toEqual([
        "Kubernetes Secret must not hold plain-text values: stringData.admin-user, stringData.admin-password.",
    ]);
    expect(violations(findingsOf(kubernetesSecretNotPlaintext, resources, { secretsMarked: false }))).toEqual([]);
});

it("logpush-credentials-secret passes the planned job and fails access keys in plain text", async () => {
    expect(violations(findingsOf(logpushCredentialsSecret, await productionResources()))).toEqual([]);
    const resources = changed(await productionResources(), isType("cloudflare:index/logpushJob:LogpushJob"), (job) => {
        job.inputs["destinationConf"] = "r2://logs/workers/{DATE}?account-id=a&access-key-id=id&secret-access-key=plain";
    });
    expect(violations(findingsOf(logpushCredentialsSecret, resources))).toEqual([
        "Logpush destination holds access keys in plain text; it must be a Pulumi secret.",
    ]);
    expect(violations(findingsOf(logpushCredentialsSecret, resources, { secretsMarked: false }))).toEqual([]);
});

it("protect-stateful-production fails an unprotected production vault, not a dev one", async () => {
    const resources = changed(await productionResources(), isType("aws:backup/vault:Vault", "-dr"), (v) => {
        v.options = {};
    });
    expect(violations(findingsOf(protectStatefulProduction, resources))).toEqual([
        "Production stateful resource must be protected (the protect option).",
    ]);
    expect(violations(findingsOf(protectStatefulProduction, await stackResources("dev"), { stack: "dev" }))).toEqual([]);
});
