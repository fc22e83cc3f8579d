/**
 * Runs each stack's program once for the whole suite, exactly as `npm run plan -- <stack> --json
 * FILE` (one bundled process per stack, two at a time on two cores), and leaves the plan documents
 * and what each run printed where tests/helpers/plan.ts reads them. Only tests that change config
 * or code run a program again.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PLANS_DIR_ENV, STACKS, planRunFiles } from "./helpers/plan";

const ROOT = join(__dirname, "..");

function plan(stack: string, dir: string): Promise<void> {
    const files = planRunFiles(dir, stack);
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [join(ROOT, "tools", "bin", "run.cjs"), "plan", stack, "--json", files.document], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0" } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("close", (status) => {
            writeFileSync(files.run, JSON.stringify({ status, stdout, stderr }));
            // 1 is a verdict (a mandatory policy fails), still a plan the tests judge.
            if (status === 0 || status === 1) resolve();
            else reject(new Error(`npm run plan -- ${stack} exited ${status}:\n${stderr}`));
        });
    });
}

export default async function globalSetup(): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), "ops-platform-plans-"));
    const [first, ...rest] = STACKS;
    await Promise.all([plan(first, dir), (async () => { for (const stack of rest) await plan(stack, dir); })()]);
    process.env[PLANS_DIR_ENV] = dir;
}
