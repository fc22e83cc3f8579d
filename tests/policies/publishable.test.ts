/**
 * `pulumi policy publish` uploads policies/ alone, and the pack judges stacks of other
 * programs: nothing in it may reach outside its directory, and no fix hint may point at this
 * repository's files.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { ALL_RULES } from "../../policies/rules";
import { ROOT } from "../helpers/cli";

const PACK = join(ROOT, "policies");

function sources(dir: string): string[] {
    return readdirSync(dir).flatMap((entry) => {
        const path = join(dir, entry);
        if (entry === "node_modules") return [];
        return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
    });
}

it("imports nothing outside policies/ but packages", () => {
    const outside = sources(PACK).flatMap((file) =>
        [...readFileSync(file, "utf8").matchAll(/from "(\.[^"]+)"|require\("(\.[^"]+)"\)/g)]
            .map((m) => m[1] ?? m[2]!)
            .filter((spec) => relative(PACK, resolve(dirname(file), spec)).startsWith(".."))
            .map((spec) => `${relative(ROOT, file)} -> ${spec}`),
    );
    expect(outside).toEqual([]);
});

it("gives fix hints that make sense for any stack: no file of this repository, no key of its config", () => {
    const local = ALL_RULES.filter((r) =>
        /\b(components|config|tools|policies)\/|\.ts\b|\b(backup|edge|fleet|monitoring)\.[a-z]+[A-Z]?\w*/.test(r.remediation),
    ).map((r) => `${r.name}: ${r.remediation}`);
    expect(local).toEqual([]);
});
