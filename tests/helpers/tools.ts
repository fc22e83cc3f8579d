/**
 * Runs the real Prometheus tools. scripts/ensure-system-tools.sh installs them as part of
 * `npm test`; when one is missing the test fails saying how to install it.
 */
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { scratchDir } from "./scratch";

const PACKAGE_OF: Record<string, string> = { promtool: "prometheus", amtool: "prometheus-alertmanager" };

export interface ToolResult {
    status: number | null;
    stdout: string;
    /** stdout and stderr together, for failure messages. */
    output: string;
}

export function runSystemTool(tool: "promtool" | "amtool", args: string[], cwd?: string): ToolResult {
    const result = spawnSync(tool, args, { encoding: "utf8", cwd });
    if (result.error && (result.error as NodeJS.ErrnoException).code === "ENOENT") {
        throw new Error(
            `${tool} is not installed: run \`npm test\` (it installs it) or \`apt-get update && apt-get install -y ${PACKAGE_OF[tool]}\``,
        );
    }
    return { status: result.status, stdout: result.stdout, output: `${result.stdout}${result.stderr}` };
}

/** runSystemTool without blocking, so independent runs (long promtool evaluations) overlap. */
export function runSystemToolAsync(tool: "promtool" | "amtool", args: string[], cwd?: string): Promise<ToolResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(tool, args, { cwd });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("error", (error: NodeJS.ErrnoException) =>
            reject(
                error.code === "ENOENT"
                    ? new Error(
                          `${tool} is not installed: run \`npm test\` (it installs it) or \`apt-get update && apt-get install -y ${PACKAGE_OF[tool]}\``,
                      )
                    : error,
            ),
        );
        child.on("close", (status) => resolve({ status, stdout, output: `${stdout}${stderr}` }));
    });
}

/** Writes `files` (name -> object, as YAML) into a fresh directory and returns it. */
export function writeYamlFiles(files: Record<string, unknown>): string {
    const dir = scratchDir("monitoring");
    for (const [name, content] of Object.entries(files))
        writeFileSync(join(dir, name), typeof content === "string" ? content : stringify(content));
    return dir;
}
