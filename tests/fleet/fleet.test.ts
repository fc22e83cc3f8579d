import { problemsOf, withKey } from "../helpers/config";
import { input, ofType, oneOfType, planOf, STACKS } from "../helpers/plan";

describe.each(STACKS)("fleet of %s", (stack) => {
    it("requires IMDSv2 with hop limit 1 and encrypts the gp3 root volume", async () => {
        const { resources } = await planOf(stack);
        const templates = ofType(resources, "aws:ec2/launchTemplate:LaunchTemplate");
        expect(templates.length).toBeGreaterThan(0);
        for (const lt of templates) {
            expect(input(lt, "metadataOptions")).toMatchObject({ httpTokens: "required", httpPutResponseHopLimit: 1 });
            const [root] = input(lt, "blockDeviceMappings") as Array<{ ebs: Record<string, unknown> }>;
            expect(root!.ebs).toMatchObject({ encrypted: "true", volumeType: "gp3", volumeSize: 50 });
            expect(lt.inputs["keyName"]).toBeUndefined();
            const specs = input(lt, "tagSpecifications") as Array<{ resourceType: string; tags: Record<string, string> }>;
            expect(specs.map((s) => s.resourceType).sort()).toEqual(["instance", "volume"]);
            for (const s of specs) expect(s.tags).toMatchObject({ BackupTier: "high", Environment: stack });
        }
    });

    it("lets instances take traffic from the load balancer only, and keeps SSH closed", async () => {
        const { resources } = await planOf(stack);
        const groups = ofType(resources, "aws:ec2/securityGroup:SecurityGroup");
        const ingress = ofType(resources, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
        for (const instanceSg of groups.filter((g) => g.name.endsWith("-instances"))) {
            const albSg = groups.find((g) => g.name === instanceSg.name.replace(/-instances$/, "-alb"))!;
            const rules = ingress.filter((r) => r.name.startsWith(instanceSg.name));
            expect(rules).toHaveLength(1);
            expect(rules[0]!.inputs).toMatchObject({ fromPort: 80, toPort: 80, referencedSecurityGroupId: expect.stringMatching(/^sg-/) });
            expect(rules[0]!.inputs["cidrIpv4"]).toBeUndefined();
            expect(rules[0]!.options.dependsOn).toContain(albSg.urn);
        }
        const open = ingress.filter((r) => r.inputs["cidrIpv4"] === "0.0.0.0/0");
        expect(open.every((r) => r.name.includes("-alb-in-") && [80, 443].includes(r.inputs["fromPort"] as number))).toBe(true);
        expect(ingress.some((r) => r.inputs["fromPort"] === 22)).toBe(false);
    });

    it("health-checks /health with thresholds 2 and 10, over HTTPS with HTTP redirected", async () => {
        const { resources } = await planOf(stack);
        for (const tg of ofType(resources, "aws:lb/targetGroup:TargetGroup")) {
            expect(input(tg, "healthCheck")).toMatchObject({ path: "/health", healthyThreshold: 2, unhealthyThreshold: 10 });
        }
        const listeners = ofType(resources, "aws:lb/listener:Listener");
        for (const l of listeners.filter((x) => x.inputs["port"] === 443))
            expect(l.inputs).toMatchObject({ protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" });
        for (const l of listeners.filter((x) => x.inputs["port"] === 80))
            expect(input(l, "defaultActions")).toEqual([
                expect.objectContaining({
                    type: "redirect",
                    redirect: expect.objectContaining({ protocol: "HTTPS", statusCode: "HTTP_301" }),
                }),
            ]);
    });

    it("refreshes instances in the seed's 10% -> 50% -> 100% waves and alarms at the seed's thresholds", async () => {
        const { resources } = await planOf(stack);
        for (const asg of ofType(resources, "aws:autoscaling/group:Group")) {
            // A group that may run one instance (dev, the standby region) launches its replacement
            // first; below 100% healthy AWS terminates first, taking the only instance down.
            const single = Number(asg.inputs["minSize"]) <= 1;
            expect(input(asg, "instanceRefresh.preferences")).toEqual({
                checkpointPercentages: [10, 50, 100],
                checkpointDelay: "600",
                ...(single ? { minHealthyPercentage: 100, maxHealthyPercentage: 200 } : { minHealthyPercentage: 90 }),
                autoRollback: true,
                skipMatching: true,
            });
            expect(asg.inputs["healthCheckType"]).toBe("ELB");
        }
        const alarms = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm");
        const byKind = (suffix: string) => alarms.filter((a) => a.name.endsWith(suffix));
        for (const a of byKind("-5xx-ratio")) {
            expect(a.inputs).toMatchObject({
                threshold: 0.05,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
            });
            // CloudWatch drops a point that divides by zero and counts a missing value as 0: with no
            // target to choose the load balancer's own 503s have no RequestCount, so it divides by 1.
            expect(
                (input(a, "metricQueries") as Array<{ id: string; expression?: string }>).find((q) => q.id === "ratio")!.expression,
            ).toBe("(FILL(target5xx, 0) + FILL(elb5xx, 0)) / FILL(requests, 1)");
        }
        for (const a of byKind("-unhealthy-hosts")) expect(a.inputs).toMatchObject({ threshold: 0, metricName: "UnHealthyHostCount" });
        for (const a of byKind("-cpu")) expect(a.inputs).toMatchObject({ threshold: 85, period: 60, evaluationPeriods: 10 });
        expect(byKind("-cpu").length).toBeGreaterThan(0);
    });
});

it("sizes production at 3 instances with a warm standby region, dev at 1", async () => {
    const production = await planOf("production");
    const dev = await planOf("dev");
    const sizes = (resources: typeof dev.resources) =>
        ofType(resources, "aws:autoscaling/group:Group").map((g) => [g.name, g.inputs["minSize"], g.inputs["desiredCapacity"]]);
    expect(sizes(production.resources)).toEqual([
        ["ops-platform-production-us-east-1-web", 3, 3],
        ["ops-platform-production-us-west-2-web", 1, 1],
    ]);
    expect(sizes(dev.resources)).toEqual([["ops-platform-dev-us-east-1-web", 1, 1]]);
    const lb = (r: typeof dev.resources) => oneOfType(r, "aws:lb/loadBalancer:LoadBalancer", "us-east-1");
    expect(lb(production.resources).inputs).toMatchObject({
        enableDeletionProtection: true,
        accessLogs: expect.objectContaining({ enabled: true }),
    });
    expect(lb(dev.resources).inputs).toMatchObject({ enableDeletionProtection: false });
    expect(lb(dev.resources).inputs["accessLogs"]).toBeUndefined();
    expect(oneOfType(dev.resources, "aws:ec2/launchTemplate:LaunchTemplate").inputs["instanceType"]).toBe("t3.small");
});

describe("unsafe fleet config is refused", () => {
    it.each([
        [
            "SSH from anywhere",
            { sshCidr: "0.0.0.0/0" },
            "dev: ops-platform:fleet.sshCidr: 0.0.0.0/0 is not inside the internal range 10.0.0.0/8",
        ],
        [
            "min above max",
            { size: { minSize: 4, desiredCapacity: 4, maxSize: 2 } },
            "dev: ops-platform:fleet.size.minSize: 4 is above maxSize 2",
        ],
        [
            "a patch window slower than the critical deadline",
            { patching: { windowSchedule: "cron(0 3 1 * ? *)" } },
            "dev: ops-platform:fleet.patching.windowSchedule: runs every 31 d, which cannot install critical patches within 7 days",
        ],
        ["a region without a certificate", { certificateArns: {} }, "dev: ops-platform:fleet.certificateArns.us-east-1: missing"],
    ])("%s", (_, fleet, expected) => {
        expect(problemsOf(withKey("dev", "fleet", fleet, true)).join("\n")).toContain(expected);
    });
});

it("patches dev first, staging the next day and production after it, in waves (the source documents: test in dev and staging first)", async () => {
    const WEEK = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];
    const days = async (stack: string) =>
        ofType((await planOf(stack)).resources, "aws:ssm/maintenanceWindow:MaintenanceWindow").map((w) =>
            WEEK.indexOf(String(w.inputs["schedule"]).split(" ")[4]!),
        );
    const [dev, staging, production] = await Promise.all(["dev", "staging", "production"].map(days));
    expect(new Set(dev)).toEqual(new Set([0]));
    expect(new Set(staging)).toEqual(new Set([1]));
    // Production: one window per region and wave, the waves on successive days after staging's.
    expect([...new Set(production)].sort()).toEqual([2, 3, 4]);
});
