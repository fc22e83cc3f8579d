import { spawnSync } from "node:child_process";
import { CLOUDWATCH_AGENT_CONFIG, renderUserData } from "../../components/fleet/userData";
import { ofType, planOf } from "../helpers/plan";

const script = renderUserData({ environment: "production", service: "ops-platform", appPort: 8080 });

it("is a bash script bash accepts", () => {
    const result = spawnSync("bash", ["-n"], { input: script, encoding: "utf8" });
    expect([result.status, result.stderr]).toEqual([0, ""]);
});

it("installs the CloudWatch agent with the config whose metrics the CloudWatch exporter reads, dimensions left for the agent to fill", () => {
    const config = /ops-platform\.json <<'CONF'\n([\s\S]*?)\nCONF/.exec(script)?.[1];
    expect(JSON.parse(config!)).toEqual(CLOUDWATCH_AGENT_CONFIG);
    // A quoted heredoc: the agent, not bash, resolves ${aws:...}.
    expect(config).toContain('"AutoScalingGroupName": "${aws:AutoScalingGroupName}"');
    expect(script).toContain(
        "amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:/opt/aws/amazon-cloudwatch-agent/etc/ops-platform.json",
    );
    expect(script).toContain("ubuntu/${arch}/latest/amazon-cloudwatch-agent.deb");
});

it("gives the instances the CloudWatch agent's policy", async () => {
    const { resources } = await planOf("production");
    const attachments = ofType(resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter(
        (r) => r.inputs["policyArn"] === "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
    );
    expect(attachments.length).toBe(2);
});
