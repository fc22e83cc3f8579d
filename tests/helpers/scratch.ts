/**
 * Temporary directories for one test file, removed once its tests are done: a suite run made
 * about a hundred (one a copy of the repository) and left them all behind.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made: string[] = [];
// Jest evaluates this module once per test file, so each file removes its own directories.
afterAll(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory named `<prefix>-XXXXXX` under `parent` (the system's temporary directory unless given). */
export function scratchDir(prefix: string, parent = tmpdir()): string {
    mkdirSync(parent, { recursive: true });
    const dir = mkdtempSync(join(parent, `${prefix}-`));
    made.push(dir);
    return dir;
}
