/**
 * Runs each stack's program once for the whole suite, exactly as `npm run plan -- <stack> --json
 * FILE` (one bundled process per stack, two at a time on two cores), and leaves the plan documents
 * and what each run printed where tests/helpers/plan.ts reads them. Only tests that change config
 * or code run a program again.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runToolAsync } from "./helpers/cli";
import { PLANS_DIR_ENV, STACKS, planRunFiles } from "./helpers/plan";

async function plan(stack: string, dir: string): Promise<void> {
    const files = planRunFiles(dir, stack);
    const run = await runToolAsync("plan", [stack, "--json", files.document]);
    writeFileSync(files.run, JSON.stringify(run));
    // 1 is a verdict (a mandatory policy fails), still a plan the tests judge.
    if (run.status !== 0 && run.status !== 1) throw new Error(`npm run plan -- ${stack} exited ${run.status}:\n${run.stderr}`);
}

export default async function globalSetup(): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), "ops-platform-plans-"));
    const [first, ...rest] = STACKS;
    await Promise.all([
        plan(first, dir),
        (async () => {
            for (const stack of rest) await plan(stack, dir);
        })(),
    ]);
    process.env[PLANS_DIR_ENV] = dir;
}
