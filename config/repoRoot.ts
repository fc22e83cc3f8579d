/** The repository root (where Pulumi.yaml is), however this code was loaded: from source or bundled. */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

function findRepoRoot(start: string): string {
    for (let dir = start; ; dir = dirname(dir)) {
        if (existsSync(join(dir, "Pulumi.yaml"))) return dir;
        if (dirname(dir) === dir) throw new Error(`no Pulumi.yaml above ${start}`);
    }
}

export const REPO_ROOT = findRepoRoot(__dirname);
