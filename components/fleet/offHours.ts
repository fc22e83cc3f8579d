import * as aws from "../aws";
import * as pulumi from "@pulumi/pulumi";
import type { FleetConfig } from "../../config/schema";

type OffHours = NonNullable<FleetConfig["offHours"]>;
type Size = OffHours["business"];

/**
 * When each size of an off-hours schedule starts, as cron recurrences in its time zone: business
 * hours on weekdays, the rest of weekday nights off-hours, Saturday and Sunday the weekend size.
 * The plan's cost estimate reads the same actions back (tools/plan/cost.ts).
 */
export function offHoursActions(o: OffHours): Array<{ name: string; recurrence: string; size: Size }> {
    return [
        { name: "business", recurrence: `0 ${o.businessStartHour} * * 1-5`, size: o.business },
        { name: "evening", recurrence: `0 ${o.businessEndHour % 24} * * 1-5`, size: o.offHours },
        { name: "weekend", recurrence: "0 0 * * 6", size: o.weekends },
        { name: "monday-night", recurrence: "0 0 * * 1", size: o.offHours },
    ];
}

/** The scheduled actions of one group. Resources inherit the AWS provider of `opts`. */
export class OffHoursSchedule extends pulumi.ComponentResource {
    constructor(name: string, args: { groupName: pulumi.Input<string>; offHours: OffHours }, opts: pulumi.ComponentResourceOptions = {}) {
        super("ops-platform:fleet:OffHoursSchedule", name, {}, opts);
        for (const action of offHoursActions(args.offHours))
            new aws.autoscaling.Schedule(
                `${name}-${action.name}`,
                {
                    scheduledActionName: `${name}-${action.name}`,
                    autoscalingGroupName: args.groupName,
                    recurrence: action.recurrence,
                    timeZone: args.offHours.timeZone,
                    minSize: action.size.minSize,
                    desiredCapacity: action.size.desiredCapacity,
                    maxSize: action.size.maxSize,
                },
                { parent: this },
            );
        this.registerOutputs({});
    }
}
