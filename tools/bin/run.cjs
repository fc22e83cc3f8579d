#!/usr/bin/env node
// `node tools/bin/run.cjs <tool> [args]`: bundles tools/<tool>.ts (our TypeScript only; packages
// stay external) with esbuild, reusing the last bundle while its sources are unchanged
// (bundleCache.cjs), and runs it as the main module. Plain node, no loader
// hooks and no source-map rewriting of every stack trace: the fast path for npm run plan/audit.
// Type-checking is `npm run typecheck`, never part of running.
"use strict";
const Module = require("node:module");
const { join } = require("node:path");
const { cachedBuildSync } = require("./bundleCache.cjs");

// The Pulumi SDK records a stack trace on every promise it makes, for leak reports a plan never
// prints: formatting them costs a fifth of a plan's CPU. OPS_PLATFORM_DEBUG=1 keeps them (and
// the stack of an internal error).
if (!process.env.OPS_PLATFORM_DEBUG) Error.stackTraceLimit = 0;

const [tool, ...args] = process.argv.slice(2);
if (!tool || !/^[A-Za-z]+$/.test(tool)) {
    process.stderr.write("usage: node tools/bin/run.cjs <plan|audit|bench|kvRestore|apiKeys> [args]\n");
    process.exit(2);
}
// The Pulumi SDK requires npm's arborist (with pacote, sigstore, tuf: ~500 modules), its
// automation API and TypeScript (to serialize closures) at load time; an offline plan calls
// none of them. They load on first use instead.
const PULUMI_INDEX = join("@pulumi", "pulumi", "index.js");
const loadModule = Module._load;
Module._load = function (request, parent, isMain) {
    const unused =
        request === "@npmcli/arborist" ||
        request.endsWith("/typescript-shim") ||
        (request === "./automation" && parent?.filename.endsWith(PULUMI_INDEX));
    return unused ? onFirstUse(() => loadModule.call(this, request, parent, isMain)) : loadModule.call(this, request, parent, isMain);
};

/** A module that loads when a property is first read; it says it is an ES module so __importStar leaves it alone. */
function onFirstUse(load) {
    let real;
    const target = () => (real ??= load());
    return new Proxy(
        {},
        {
            get: (_, key) => (key === "__esModule" ? true : Reflect.get(target(), key)),
            has: (_, key) => Reflect.has(target(), key),
            ownKeys: () => Reflect.ownKeys(target()),
            getOwnPropertyDescriptor: (_, key) => {
                const descriptor = Reflect.getOwnPropertyDescriptor(target(), key);
                return descriptor && { ...descriptor, configurable: true };
            },
        },
    );
}

const entry = join(__dirname, "..", `${tool}.ts`);
const code = cachedBuildSync({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    packages: "external",
    logLevel: "error",
});
const filename = join(__dirname, "..", `${tool}.bundle.cjs`);
const main = new Module(filename, null);
main.filename = filename;
main.paths = Module._nodeModulePaths(join(__dirname, ".."));
process.argv = [process.argv[0], filename, ...args];
process.mainModule = main;
main._compile(code, filename);
