/** The plan and audit commands behave as command-line tools are expected to. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { ansiStyle, plainStyle, terminalStyle } from "../../tools/plan/document";
import { wantsHelp } from "../../tools/plan/cli";
import { ROOT, runTool } from "../helpers/cli";

const ESC = "\x1b[";
const run = (tool: string, args: string[], env: Record<string, string | undefined>) => {
    const result = spawnSync(process.execPath, [join(ROOT, "tools", "bin", "run.cjs"), tool, ...args], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, FORCE_COLOR: undefined, NO_COLOR: undefined, ...env },
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};

it("takes --help and -h anywhere", () => {
    for (const argv of [["--help"], ["-h"], ["dev", "--json", "x", "-h"]]) expect(wantsHelp(argv)).toBe(true);
    expect(wantsHelp(["dev", "--json", "help.json"])).toBe(false);
});

it.each([
    ["plan", "--help"],
    ["audit", "-h"],
])("%s %s prints the usage, the options and every exit code, and exits 0", (tool, flag) => {
    const result = runTool(tool, [flag]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`usage: npm run ${tool} --`);
    expect(result.stdout).toContain(
        "exit codes: 0 ok, 1 a mandatory policy fails, 2 bad usage, bad config or a malformed file, 3 internal error",
    );
});

it("the README lists the same exit codes", () => {
    expect(readFileSync(join(ROOT, "README.md"), "utf8")).toContain("3 internal error");
});

it("colours only when asked: FORCE_COLOR decides when set, else NO_COLOR, else the terminal", () => {
    const tty = { isTTY: true };
    expect(terminalStyle(tty, {})).toBe(ansiStyle);
    expect(terminalStyle({ isTTY: false }, {})).toBe(plainStyle);
    expect(terminalStyle(tty, { NO_COLOR: "1" })).toBe(plainStyle);
    expect(terminalStyle({ isTTY: false }, { FORCE_COLOR: "1" })).toBe(ansiStyle);
    expect(terminalStyle(tty, { FORCE_COLOR: "1", NO_COLOR: "1" })).toBe(ansiStyle);
    expect(terminalStyle(tty, { FORCE_COLOR: "0" })).toBe(plainStyle);
    // And the commands use it: the audit needs no program run.
    const doc = join(ROOT, "plans", "dev.json");
    expect(run("audit", [doc], { FORCE_COLOR: "1" }).stdout).toContain(ESC);
    expect(run("audit", [doc], { NO_COLOR: "1" }).stdout).not.toContain(ESC);
});

describe("against a baseline", () => {
    const baseline = join(ROOT, "plans", "dev.json");

    it("prints the changes with counts before the tree (of one --component), and --changes-only without it", () => {
        const full = runTool("plan", ["dev", "--baseline", baseline, "--component", "edge"]);
        expect(full.status).toBe(0);
        expect(full.stdout).toContain("Changes against the baseline: none");
        expect(full.stdout.indexOf("Changes against the baseline")).toBeLessThan(full.stdout.indexOf("ops-platform-dev-edge-gateway"));
        expect(full.stdout).not.toContain("aws:ec2/vpc:Vpc");
        const only = runTool("plan", ["dev", "--baseline", baseline, "--changes-only"]);
        expect(only.stdout).toContain("Changes against the baseline: none");
        expect(only.stdout).not.toContain("ops-platform:index:Platform");
        expect(only.stdout).toContain("Policy findings");
        expect(runTool("plan", ["dev", "--changes-only"]).status).toBe(2);
    });
});

it("--component names the components when it knows none by that name", () => {
    const unknown = runTool("plan", ["dev", "--component", "edges"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain(
        "--component edges: no such component; expected one of backup, edge, fleet, monitoring, network, providers",
    );
});

it("says 'unset' where a property had or gets no value, never 'undefined'", async () => {
    const { renderChanges, plainStyle } = await import("../../tools/plan/document");
    const { changeRisk } = await import("../../tools/plan/risk");
    const change = {
        urn: "urn:x",
        type: "aws:s3/bucket:Bucket",
        name: "logs",
        kind: "update" as const,
        changes: [
            { path: "forceDestroy", before: undefined, after: true },
            { path: "tags.Team", before: "a", after: undefined },
        ],
        replaceKeys: [],
        stateful: true,
        protected: false,
        component: "fleet",
    };
    const lines = renderChanges([change], changeRisk("dev", [change]), plainStyle).join("\n");
    expect(lines).toContain("forceDestroy: unset -> true");
    expect(lines).toContain('tags.Team: "a" -> unset');
    expect(lines).not.toContain("undefined");
});
