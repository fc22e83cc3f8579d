import * as cloudflare from "../cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { pendingMigrations, type Migration, type ScriptMigrations } from "./durableObjects";

/**
 * The Durable Object migrations a non-versioned upload of `scriptName` must carry: those of
 * `history` after the live script's tag, read from the account (durableObjects.ts says why).
 */
export function liveScriptMigrations(
    accountId: string,
    scriptName: string,
    history: readonly Migration[],
    parent: pulumi.Resource,
): pulumi.Output<ScriptMigrations | undefined> {
    return cloudflare
        .getWorkersScriptsOutput({ accountId }, { parent })
        .results.apply((scripts) => pendingMigrations(history, scripts.find((s) => s.id === scriptName)?.migrationTag));
}
