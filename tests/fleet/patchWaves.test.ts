/**
 * The patch waves over a week, run by python3 as SSM's aws:executeScript runs the handler:
 * components/fleet/patchWaves.py against a stand-in of the EC2 and CloudWatch clients that keeps
 * the fleet's tags between the waves' days.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { PATCH_GROUP_TAG, PATCH_WAVE_TAG } from "../../components/fleet/patching";
import { ROOT } from "../helpers/cli";

/** Runs each day's wave in one python3 process: [wave, instances patched] or the error it raised. */
function week(
    days: Array<{ wave: number; launch?: string[]; terminate?: string[]; alarm?: string; failed?: string[] }>,
    fleet: string[],
): Array<string[] | string> {
    const harness = `
import json, sys, types
sys.path.insert(0, ${JSON.stringify(join(ROOT, "components", "fleet"))})
state = {"tags": {}, "alarm": None, "failed": [], "instances": ${JSON.stringify(fleet)}}
class EC2:
    def get_paginator(self, _):
        class P:
            def paginate(self, Filters):
                assert {"Name": "tag:${PATCH_GROUP_TAG}", "Values": ["web"]} in Filters
                tags = lambda i: [{"Key": "${PATCH_WAVE_TAG}", "Value": state["tags"][i]}] if i in state["tags"] else []
                return [{"Reservations": [{"Instances": [{"InstanceId": i, "Tags": tags(i)} for i in state["instances"]]}]}]
        return P()
    def create_tags(self, Resources, Tags):
        assert [t["Key"] for t in Tags] == ["${PATCH_WAVE_TAG}"]
        for r in Resources: state["tags"][r] = Tags[0]["Value"]
class SSM:
    def describe_instance_patch_states(self, InstanceIds):
        assert len(InstanceIds) <= 50
        return {"InstancePatchStates": [{"InstanceId": i, "FailedCount": 1 if i in state["failed"] else 0} for i in InstanceIds]}
class CloudWatch:
    def describe_alarms(self, AlarmNames):
        return {"MetricAlarms": [{"AlarmName": a, "StateValue": "ALARM" if a == state["alarm"] else "OK"} for a in AlarmNames]}
sys.modules["boto3"] = types.SimpleNamespace(client=lambda name: {"ec2": EC2, "ssm": SSM, "cloudwatch": CloudWatch}[name]())
import patchWaves
out = []
for day in json.loads(sys.argv[1]):
    state["instances"] = [i for i in state["instances"] + day.get("launch", []) if i not in day.get("terminate", [])]
    state["alarm"] = day.get("alarm")
    state["failed"] = day.get("failed", [])
    try:
        result = patchWaves.handler({"Wave": str(day["wave"]), "Shares": "10,50,100", "AlarmNames": ["web-5xx", "web-cpu"], "PatchGroup": "web", "PatchGroupTag": "${PATCH_GROUP_TAG}", "WaveTag": "${PATCH_WAVE_TAG}"}, None)
        assert result["Count"] == len(result["InstanceIds"])
        out.append(result["InstanceIds"])
    except Exception as error:
        out.append(str(error))
print(json.dumps(out))
`;
    const result = spawnSync("python3", ["-c", harness, JSON.stringify(days)], { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`python3 failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as Array<string[] | string>;
}

const TEN = Array.from({ length: 10 }, (_, i) => `i-${String(i).padStart(2, "0")}`);

it("patches 10% on the first day, 50% by the second and everyone on the third", () => {
    const [first, second, third] = week([{ wave: 1 }, { wave: 2 }, { wave: 3 }], TEN);
    expect(first).toEqual(["i-00"]);
    expect(second).toEqual(TEN.slice(0, 5));
    expect(third).toEqual(TEN);
});

it("does not start a wave while a fleet alarm is in ALARM", () => {
    expect(week([{ wave: 1 }, { wave: 2, alarm: "web-5xx" }], TEN)[1]).toBe("patch wave 2 not started: web-5xx in ALARM");
});

it("keeps each instance's wave between days, and gives an instance launched since then a wave with room", () => {
    const [, second] = week([{ wave: 1 }, { wave: 2, launch: ["i-new"] }], TEN);
    // Eleven instances: the first wave has room for two (10%, rounded up), so the new one joins it.
    expect(second).toEqual([...TEN.slice(0, 5), "i-new"].sort());
});

it("does not start a wave when an earlier wave left failed patches", () => {
    expect(week([{ wave: 1 }, { wave: 2, failed: ["i-00"] }], TEN)[1]).toBe(
        "patch wave 2 not started: the earlier waves left failed patches on i-00",
    );
});

it("refills the early waves after a scale-in, so the next week still starts with a canary", () => {
    // Week one tags the ten; the scale-in keeps three of the last wave. i-07 keeps its wave (3
    // has room for one of three), i-08 and i-09 refill waves 1 and 2.
    const [, first, second] = week([{ wave: 3 }, { wave: 1, terminate: TEN.slice(0, 7) }, { wave: 2 }], TEN);
    expect([first, second]).toEqual([["i-08"], ["i-08", "i-09"]]);
});

it("patches a fleet of one on the first day: the wave is a canary of one instance", () => {
    expect(week([{ wave: 1 }], ["i-only"])).toEqual([["i-only"]]);
});
