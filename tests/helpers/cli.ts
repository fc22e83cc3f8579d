/** Runs the repository's commands as a user would, for tests of exit codes and output. */
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";

export const ROOT = join(__dirname, "..", "..");

export interface CommandResult {
    status: number | null;
    stdout: string;
    stderr: string;
}

/** What `npm run <script>` runs: `node tools/bin/run.cjs <script> ...args`, from `root`. */
export function runTool(script: string, args: readonly string[], root = ROOT): CommandResult {
    const result = spawnSync(process.execPath, [join(root, "tools", "bin", "run.cjs"), script, ...args], {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, FORCE_COLOR: "0" },
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** runTool without blocking the event loop, for commands that talk to a server in this process. */
export function runToolAsync(
    script: string,
    args: readonly string[],
    env: Record<string, string | undefined> = {},
    root = ROOT,
): Promise<CommandResult> {
    return new Promise((resolve) => {
        const child = spawn(process.execPath, [join(root, "tools", "bin", "run.cjs"), script, ...args], {
            cwd: root,
            env: { ...process.env, FORCE_COLOR: "0", ...env },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("close", (status) => resolve({ status, stdout, stderr }));
    });
}
