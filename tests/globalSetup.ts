/**
 * Runs each stack's program once for the whole suite, the way `npm run plan` does (one bundled
 * process per stack, two at a time on two cores), and leaves the plan documents where
 * tests/helpers/plan.ts reads them. Only tests that change config or code run a program again.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PLANS_DIR_ENV, STACKS } from "./helpers/plan";

const ROOT = join(__dirname, "..");

function plan(stack: string, dir: string): Promise<void> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [join(ROOT, "tools", "bin", "run.cjs"), "plan", stack, "--json", join(dir, `${stack}.json`)], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, FORCE_COLOR: "0" } });
        let stderr = "";
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        // 1 is a verdict (a mandatory policy fails), still a plan the tests judge.
        child.on("close", (code) => (code === 0 || code === 1 ? resolve() : reject(new Error(`npm run plan -- ${stack} exited ${code}:\n${stderr}`))));
    });
}

export default async function globalSetup(): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), "ops-platform-plans-"));
    const [first, ...rest] = STACKS;
    await Promise.all([plan(first, dir), (async () => { for (const stack of rest) await plan(stack, dir); })()]);
    process.env[PLANS_DIR_ENV] = dir;
}
