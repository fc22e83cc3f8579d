/**
 * Runs one stack of this repository offline: its stack file -> validated config -> the
 * program under mocks -> captured resources and outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { toPlatformConfig, type PlatformConfig } from "../../config/stackConfig";
import { Platform } from "../../components/platform";
import { captureProgram, type CaptureResult } from "./capture";
import { PROJECT_NAME, rawPlatformConfig, readStackFile } from "./stackFile";

export interface StackRun extends CaptureResult {
    stack: string;
    config: PlatformConfig;
}

export interface RunOptions {
    /** Directory holding Pulumi.<stack>.yaml. Defaults to the repository root. */
    dir?: string;
    /**
     * Run index.ts itself (what `pulumi preview` runs) rather than constructing the Platform
     * directly. index.ts can be loaded once per process, so tests use the direct path.
     */
    viaIndex?: boolean;
}

export async function runStack(stack: string, options: RunOptions = {}): Promise<StackRun> {
    const file = readStackFile(stack, options.dir);
    const config = toPlatformConfig(rawPlatformConfig(stack, file), PROJECT_NAME);
    const result = await captureProgram(PROJECT_NAME, stack, () => {
        if (!options.viaIndex) return new Platform(PROJECT_NAME, { config }).stackOutputs;
        // As the language host does: config in the environment, then load the program.
        process.env["PULUMI_CONFIG"] = JSON.stringify(file.config);
        process.env["PULUMI_CONFIG_SECRET_KEYS"] = JSON.stringify(file.secretKeys);
        pulumi.runtime.setAllConfig(file.config, file.secretKeys);
        return require("../../index") as Record<string, unknown>;
    });
    return { stack, config, ...result };
}
