/**
 * The on-call rotation and escalation of the source documents (incident-management.md, "On-Call
 * Management") as data: who is reached, from which minute of an unacknowledged page, and for
 * which priorities. OnCall declares it in PagerDuty; the README and the runbooks cite it.
 */
import type { PagingPriority } from "../monitoring/ruleTypes";
import type { OnCallConfig } from "../../config/schema";

/** Monday to Monday. */
export const ROTATION_TURN_SECONDS = 7 * 24 * 3600;

export type EscalationTarget = "primary" | "secondary" | "teamLead" | "engineeringManager" | "vpEngineering";

export interface EscalationLevel {
    target: EscalationTarget;
    /** Minutes after the page at which this level is reached. */
    fromMinute: number;
    /** The priorities that reach it. */
    priorities: readonly PagingPriority[];
}

/** Primary 0-5 min, secondary 5-15, team lead 15-30, engineering manager 30-60, VP engineering 60+ (P1 only). */
export const ESCALATION: readonly EscalationLevel[] = [
    { target: "primary", fromMinute: 0, priorities: ["P1", "P2"] },
    { target: "secondary", fromMinute: 5, priorities: ["P1", "P2"] },
    { target: "teamLead", fromMinute: 15, priorities: ["P1", "P2"] },
    { target: "engineeringManager", fromMinute: 30, priorities: ["P1", "P2"] },
    { target: "vpEngineering", fromMinute: 60, priorities: ["P1"] },
];

/**
 * PagerDuty's rules for one priority: each level with the minutes it holds an unacknowledged
 * page before the next is reached, its span in ESCALATION (the manager holds P2 for 30 minutes
 * too). The last level has no end; as the policy does not loop, its delay is never waited out,
 * and it repeats the span before it.
 */
export function escalationRules(priority: PagingPriority): Array<{ target: EscalationTarget; delayMinutes: number }> {
    return ESCALATION.flatMap((level, i) => {
        if (!level.priorities.includes(priority)) return [];
        const end = ESCALATION[i + 1]?.fromMinute ?? level.fromMinute + (level.fromMinute - (ESCALATION[i - 1]?.fromMinute ?? 0));
        return [{ target: level.target, delayMinutes: end - level.fromMinute }];
    });
}

/** The secondary of a week is the engineer who is primary the week after: one rotation, offset by one. */
export function rotations(engineers: readonly string[]): { primary: string[]; secondary: string[] } {
    return { primary: [...engineers], secondary: [...engineers.slice(1), ...engineers.slice(0, 1)] };
}

/** The people of a managed on-call, checked present by the config rules. */
export type ManagedOnCall = Required<Pick<OnCallConfig, "engineers" | "teamLead" | "engineeringManager" | "vpEngineering">> &
    Pick<OnCallConfig, "rotationStart" | "timeZone">;
