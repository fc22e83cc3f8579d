/** Removes what globalSetup left for the tests: the plan documents and each run's output. */
import { rmSync } from "node:fs";
import { PLANS_DIR_ENV } from "./helpers/plan";

export default function globalTeardown(): void {
    const dir = process.env[PLANS_DIR_ENV];
    if (dir) rmSync(dir, { recursive: true, force: true });
}
