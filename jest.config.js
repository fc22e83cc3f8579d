/** @type {import('jest').Config} */
module.exports = {
    testEnvironment: "node",
    roots: ["<rootDir>/tests"],
    // Each stack's program runs once for the suite; tests that only read a plan share it.
    globalSetup: "<rootDir>/tests/globalSetup.ts",
    globalTeardown: "<rootDir>/tests/globalTeardown.ts",
    testMatch: ["**/*.test.ts"],
    transform: {
        "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }],
    },
    // Two workers match the two cores.
    maxWorkers: 2,
    testTimeout: 60000,
};
