"""
A patch wave of one patch group, as an SSM Automation step (aws:executeScript) runs it; the
Patching component (components/fleet/patching.ts) embeds this file in its Automation document.

The wave does not start while one of the fleet's alarms is in ALARM. Each instance of the group
keeps its wave in a tag (WaveTag, PatchWave); an instance without one (new since the last week) is given
the lowest wave that still has room, so the waves stay at their cumulative shares of the fleet
(10% -> 50% -> 100%). The wave patches every instance whose wave is at most its own: the last
wave patches everyone left.
"""

import math


def assign_waves(instances, shares):
    """New waves for the instances that have none: {instance id: wave}, waves counted from 1.

    instances: [(instance id, wave or None)]; shares: cumulative percentages ending at 100.
    """
    limits = [max(1, math.ceil(len(instances) * share / 100)) for share in shares]
    counts = [0] * len(shares)
    for _, wave in instances:
        if wave is not None and 1 <= wave <= len(shares):
            counts[wave - 1] += 1
    assigned = {}
    for instance, wave in sorted(instances):
        if wave is not None and 1 <= wave <= len(shares):
            continue
        for k in range(len(shares)):
            if sum(counts[: k + 1]) < limits[k] or k == len(shares) - 1:
                counts[k] += 1
                assigned[instance] = k + 1
                break
    return assigned


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
    assigned = assign_waves(instances, shares)
    for instance, new_wave in assigned.items():
        ec2.create_tags(Resources=[instance], Tags=[{"Key": events["WaveTag"], "Value": str(new_wave)}])
    waves = {**dict(instances), **assigned}
    last = wave == len(shares)
    targets = sorted(i for i, w in waves.items() if last or (w is not None and w <= wave))
    return {"InstanceIds": targets, "Count": len(targets)}
