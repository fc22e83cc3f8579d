/**
 * Durable Object migrations as data, and what a script upload must carry to bring the live
 * script to the newest one. Cloudflare applies a migration once and remembers its tag; an
 * upload that sends `newTag` again without `oldTag` matching the live tag is refused (10079),
 * so, as wrangler does, only the migrations after the live tag are sent, and none once it is
 * current.
 */

interface MigrationStep {
    newSqliteClasses?: string[];
    deletedClasses?: string[];
    renamedClasses?: Array<{ from: string; to: string }>;
}

export interface Migration extends MigrationStep {
    tag: string;
}

/** The RateLimiter class's history; append, never edit, when the class changes. */
export const RATE_LIMITER_MIGRATIONS: readonly Migration[] = [{ tag: "v1", newSqliteClasses: ["RateLimiter"] }];
/** The monitoring heartbeat's class (workers/heartbeat); append, never edit. */
export const HEARTBEAT_MIGRATIONS: readonly Migration[] = [{ tag: "v1", newSqliteClasses: ["Heartbeat"] }];

export interface ScriptMigrations {
    oldTag?: string;
    newTag: string;
    steps: MigrationStep[];
}

/** The migrations to upload given the live script's tag (undefined: no script, or none applied yet). */
export function pendingMigrations(history: readonly Migration[], liveTag: string | undefined): ScriptMigrations | undefined {
    const applied = liveTag === undefined || liveTag === "" ? -1 : history.findIndex((m) => m.tag === liveTag);
    if (applied < 0 && liveTag) {
        throw new Error(
            `the live script is at Durable Object migration tag "${liveTag}", which is not in this program's history (${history.map((m) => m.tag).join(", ")})`,
        );
    }
    const pending = history.slice(applied + 1);
    if (pending.length === 0) return undefined;
    return {
        ...(liveTag ? { oldTag: liveTag } : {}),
        newTag: pending[pending.length - 1]!.tag,
        steps: pending.map(({ tag: _tag, ...step }) => step),
    };
}
