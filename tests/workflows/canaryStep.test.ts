/**
 * The deploy workflow's canary step, its bash as committed, run with stand-ins for `npm run
 * canary` (a queue of verdicts), `pulumi` (recording what it is asked) and `sleep` (no wait):
 * it promotes step by step, stops at 100%, gives up after maxHolds, and leaves the verdict the
 * rollback and announce steps read. Real bash and jq.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { ROOT } from "../helpers/cli";
import { scratchDir } from "../helpers/scratch";

const workflow = parse(readFileSync(join(ROOT, ".github", "workflows", "deploy-stack.yml"), "utf8")) as {
    jobs: { up: { steps: Array<{ id?: string; run?: string; env?: Record<string, string> }> } };
};
const step = workflow.jobs.up.steps.find((s) => s.id === "canary")!;

type Verdict = { verdict: "promote" | "hold" | "rollback"; next: number | null };

/** Runs the step with `verdicts` answered in turn (a missing one fails `npm`, as a broken tool would). */
function runStep(verdicts: Verdict[]): { status: number | null; output: string; pulumi: string[]; stdout: string } {
    const dir = scratchDir("canary-step");
    const queue = join(dir, "verdicts");
    writeFileSync(
        queue,
        verdicts.map((v) => JSON.stringify({ ...v, reasons: ["because\nof a line break"], windowMinutes: 10, maxHolds: 3 })).join("\n") +
            "\n",
    );
    const stub = (name: string, body: string) => {
        writeFileSync(join(dir, name), `#!/usr/bin/env bash\n${body}\n`);
        chmodSync(join(dir, name), 0o755);
    };
    stub("npm", `line=$(head -n 1 "${queue}"); [ -n "$line" ] || exit 3; sed -i 1d "${queue}"; echo "$line"`);
    stub(
        "pulumi",
        `echo "$*" >> "${dir}/pulumi.log"; if [ "$1 $2" = "stack output" ]; then echo '{"versionId":"11111111-1111-4111-8111-111111111111"}'; fi`,
    );
    stub("sleep", "exit 0");
    writeFileSync(join(dir, "output"), "");
    const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run!], {
        encoding: "utf8",
        env: {
            PATH: `${dir}:${process.env["PATH"]}`,
            GITHUB_OUTPUT: join(dir, "output"),
            STACK: "org/ops-platform/production",
            STACK_NAME: "production",
            ...step.env,
        },
    });
    const read = (f: string) => {
        try {
            return readFileSync(join(dir, f), "utf8");
        } catch {
            return "";
        }
    };
    return {
        status: result.status,
        output: read("output"),
        pulumi: read("pulumi.log").trim().split("\n").filter(Boolean),
        stdout: result.stdout,
    };
}

const ups = (pulumi: string[]) => pulumi.filter((c) => c.startsWith("up ")).length;

it("promotes 10 -> 50 -> 100 on promote verdicts and stops at 100%, judging each split after a window", () => {
    const r = runStep([
        { verdict: "hold", next: null },
        { verdict: "promote", next: 50 },
        { verdict: "promote", next: 100 },
    ]);
    expect(r.status).toBe(0);
    expect(r.pulumi.filter((c) => c.startsWith("config set"))).toEqual([
        "config set --path --stack org/ops-platform/production edge.rollout.canaryPercent 50",
        "config set --path --stack org/ops-platform/production edge.rollout.canaryPercent 100",
    ]);
    expect(ups(r.pulumi)).toBe(2);
    expect(r.output).toBe("verdict=promote\n");
});

it("does nothing when one version already serves 100%", () => {
    const r = runStep([{ verdict: "promote", next: null }]);
    expect([r.status, ups(r.pulumi), r.output]).toEqual([0, 0, "verdict=promote\n"]);
});

it("stops after maxHolds holds in a row, leaving the canary where it is", () => {
    const r = runStep(Array.from({ length: 5 }, () => ({ verdict: "hold" as const, next: null })));
    expect([r.status, ups(r.pulumi), r.output]).toEqual([1, 0, "verdict=hold\n"]);
});

it("says rollback for the rollback step, on one line whatever the reasons hold", () => {
    const r = runStep([
        { verdict: "hold", next: null },
        { verdict: "rollback", next: null },
    ]);
    expect([r.status, r.output]).toEqual([1, "verdict=rollback\n"]);
    expect(r.stdout).toContain("::error::production: the canary is worse than the stable version: because of a line break");
    expect(r.stdout.split("\n").some((line) => line.startsWith("of a line break"))).toBe(false);
});

it("turns a failing tool into verdict=error, which the rollback step also acts on", () => {
    const r = runStep([{ verdict: "hold", next: null }]);
    expect(r.status).not.toBe(0);
    expect(r.output).toBe("verdict=error\n");
    expect(workflow.jobs.up.steps.find((s) => s.id === "rollback")!).toMatchObject({
        if: expect.stringContaining("steps.canary.outputs.verdict == 'error'"),
    });
});
