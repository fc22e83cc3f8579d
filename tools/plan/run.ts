/**
 * Runs one stack of this repository offline: its stack file -> validated config -> the
 * program under mocks -> captured resources and outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { toPlatformConfig, type PlatformConfig } from "../../config/stackConfig";
import { Platform } from "../../components/platform";
import { RATE_LIMITER_MIGRATIONS, gatewayScriptName, rateLimiterScriptName } from "../../components/edge";
import { physicalName } from "../../config/tagging";
import { captureProgram, type CaptureResult } from "./capture";
import { MOCK_LIVE_DEPLOYMENT, type LiveCloudflare } from "./mocks";
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
    /** What Cloudflare reports as deployed. Defaults to the stack deployed before: the live version at 100%, migrations applied. */
    live?: LiveCloudflare;
    /** Run as a first `pulumi preview` does: every value a provider computes is unknown. */
    preview?: boolean;
}

/** The stack as deployed before this change: its gateway at MOCK_LIVE_WORKER_VERSION, the rate limiter's migrations applied. */
function previouslyDeployed(config: PlatformConfig): LiveCloudflare {
    const gateway = gatewayScriptName(physicalName(config), config.edge.workerName);
    return {
        scripts: [
            { id: gateway, migrationTag: "" },
            { id: rateLimiterScriptName(gateway), migrationTag: RATE_LIMITER_MIGRATIONS.at(-1)!.tag },
        ],
        deployments: { [gateway]: [MOCK_LIVE_DEPLOYMENT] },
    };
}

export async function runStack(stack: string, options: RunOptions = {}): Promise<StackRun> {
    const file = readStackFile(stack, options.dir);
    const config = toPlatformConfig(rawPlatformConfig(stack, file), PROJECT_NAME);
    const result = await captureProgram(
        PROJECT_NAME,
        stack,
        () => {
            if (!options.viaIndex) return new Platform(physicalName(config), { config }).stackOutputs;
            // As the language host does: config in the environment, then load the program.
            process.env["PULUMI_CONFIG"] = JSON.stringify(file.config);
            process.env["PULUMI_CONFIG_SECRET_KEYS"] = JSON.stringify(file.secretKeys);
            pulumi.runtime.setAllConfig(file.config, file.secretKeys);
            return require("../../index") as Record<string, unknown>;
        },
        options.live ?? previouslyDeployed(config),
        options.preview,
    );
    return { stack, config, ...result };
}
