/** Runs the repository's commands as a user would, for tests of exit codes and output. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

export const ROOT = join(__dirname, "..", "..");

export interface CommandResult {
    status: number | null;
    stdout: string;
    stderr: string;
}

/** `node --import tsx tools/<script>.ts ...args` from the repository root. */
export function runTool(script: string, args: readonly string[]): CommandResult {
    const result = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "tools", `${script}.ts`), ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" } });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
