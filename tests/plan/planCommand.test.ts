import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { ROOT, runTool } from "../helpers/cli";
import { planRunOf } from "../helpers/plan";
import { scratchDir } from "../helpers/scratch";

const scratch = scratchDir("plan-test");

describe("npm run plan", () => {
    it("runs the program that Pulumi.yaml names, through tsx, and writes the JSON document", () => {
        const project = parse(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8"));
        expect(project.runtime.options).toMatchObject({ typescript: false, nodeargs: "--import tsx" });
        expect(project.main).toBe("index.ts");

        // The suite's own run of `npm run plan -- dev --json FILE` (tests/globalSetup.ts).
        const { document: out, ...result } = planRunOf("dev");
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
        expect(result.stdout).toMatch(/^ops-platform · dev · \d+ resources/);
        expect(result.stdout).toContain("By provider");
        expect(result.stdout).toContain("Outputs");

        const doc = JSON.parse(readFileSync(out, "utf8"));
        expect(Object.keys(doc)).toEqual(["stack", "resources", "outputs", "findings", "cost"]);
        expect(doc.stack).toBe("dev");
        const urns = doc.resources.map((r: { urn: string }) => r.urn);
        expect(urns).toEqual([...urns].sort());
        expect(doc.resources[0]).toEqual(
            expect.objectContaining({
                urn: expect.any(String),
                type: expect.any(String),
                name: expect.any(String),
                inputs: expect.any(Object),
                options: expect.any(Object),
            }),
        );
    });

    it("exits 2 naming the key for an unknown key or a wrong type, without a stack trace", () => {
        const original = readFileSync(join(ROOT, "Pulumi.dev.yaml"), "utf8");
        writeFileSync(join(scratch, "Pulumi.dev.yaml"), original.replace("    azCount: 2\n", "    azCount: two\n    natGatways: perAz\n"));
        const result = runTool("plan", ["dev", "--config-dir", scratch]);
        expect(result.status).toBe(2);
        expect(result.stderr).toContain('dev: ops-platform:network.azCount: string "two" is not valid; expected number');
        expect(result.stderr).toContain('dev: ops-platform:network.natGatways: unknown key; did you mean "natGateways"?');
        expect(result.stderr).not.toMatch(/\n\s+at /);
        expect(result.stdout).toBe("");
    });

    it("exits 2 with usage for a missing stack or an unknown option", () => {
        expect(runTool("plan", []).status).toBe(2);
        const unknown = runTool("plan", ["dev", "--jsn", "x"]);
        expect(unknown.status).toBe(2);
        expect(unknown.stderr).toContain("unknown option --jsn");
        const noStack = runTool("plan", ["nope"]);
        expect(noStack.status).toBe(2);
        expect(noStack.stderr).toContain("no stack file");
    });
});
