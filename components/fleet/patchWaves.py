"""
A patch wave of one patch group, as an SSM Automation step (aws:executeScript) runs it; the
Patching component (components/fleet/patching.ts) embeds this file in its Automation document.

The wave does not start while one of the fleet's alarms is in ALARM, nor when an earlier wave
left failed patches. Each instance of the group keeps its wave in a tag (WaveTag, PatchWave);
the waves are refilled to their cumulative shares of the fleet (10% -> 50% -> 100%) on every
run, new instances and a scale-in included. The wave patches every instance whose wave is at
most its own: the last wave patches everyone.
"""

import math


def assign_waves(instances, shares):
    """The wave of every instance: {instance id: wave}, waves counted from 1.

    instances: [(instance id, wave or None)]; shares: cumulative percentages ending at 100. An
    instance keeps its wave while that wave has room; the others fill the lowest waves with room,
    in instance-id order, so each wave holds its share of the fleet now (after a scale-in too).
    """
    limits = [max(1, math.ceil(len(instances) * share / 100)) for share in shares]
    sizes = [limits[0]] + [max(0, limits[k] - limits[k - 1]) for k in range(1, len(shares))]
    sizes[-1] = max(0, len(instances) - sum(sizes[:-1]))
    counts = [0] * len(shares)
    waves = {}
    for instance, wave in sorted(instances, key=lambda i: i[0]):
        if wave is not None and 1 <= wave <= len(shares) and counts[wave - 1] < sizes[wave - 1]:
            waves[instance] = wave
            counts[wave - 1] += 1
    for instance, _ in sorted(instances, key=lambda i: i[0]):
        if instance in waves:
            continue
        k = next((k for k in range(len(shares)) if counts[k] < sizes[k]), len(shares) - 1)
        waves[instance] = k + 1
        counts[k] += 1
    return waves


def failed_patches(ssm, instances):
    """The instances whose last patch run left failed patches."""
    failed = []
    for start in range(0, len(instances), 50):
        states = ssm.describe_instance_patch_states(InstanceIds=instances[start : start + 50])["InstancePatchStates"]
        failed += [s["InstanceId"] for s in states if s.get("FailedCount", 0) > 0]
    return sorted(failed)


def wave_of(tags, wave_tag):
    value = next((t["Value"] for t in tags or [] if t["Key"] == wave_tag), None)
    return int(value) if value is not None and value.isdigit() else None


def handler(events, context):
    import boto3

    wave = int(events["Wave"])
    shares = [int(s) for s in events["Shares"].split(",")]
    alarms = [name for name in events["AlarmNames"] if name]
    if alarms:
        answer = boto3.client("cloudwatch").describe_alarms(AlarmNames=alarms)
        firing = [a["AlarmName"] for a in answer["MetricAlarms"] if a["StateValue"] == "ALARM"]
        if firing:
            raise Exception(f"patch wave {wave} not started: {', '.join(firing)} in ALARM")
    ec2 = boto3.client("ec2")
    filters = [
        {"Name": f"tag:{events['PatchGroupTag']}", "Values": [events["PatchGroup"]]},
        {"Name": "instance-state-name", "Values": ["running"]},
    ]
    instances = [
        (i["InstanceId"], wave_of(i.get("Tags"), events["WaveTag"]))
        for page in ec2.get_paginator("describe_instances").paginate(Filters=filters)
        for reservation in page["Reservations"]
        for i in reservation["Instances"]
    ]
    waves = assign_waves(instances, shares)
    for instance, old_wave in instances:
        if waves[instance] != old_wave:
            ec2.create_tags(Resources=[instance], Tags=[{"Key": events["WaveTag"], "Value": str(waves[instance])}])
    # A wave whose earlier waves left failed patches stops here, before it spreads them.
    earlier = sorted(i for i, w in waves.items() if w < wave)
    failed = failed_patches(boto3.client("ssm"), earlier) if earlier else []
    if failed:
        raise Exception(f"patch wave {wave} not started: the earlier waves left failed patches on {', '.join(failed)}")
    last = wave == len(shares)
    targets = sorted(i for i, w in waves.items() if last or w <= wave)
    return {"InstanceIds": targets, "Count": len(targets)}
