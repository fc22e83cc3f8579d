/**
 * The ops-platform program: read the stack's config, build the platform, export its outputs.
 */
import { Platform } from "./components/platform";
import { readStackConfig } from "./config/stackConfig";

const platform = new Platform("ops-platform", { config: readStackConfig() });

export = platform.stackOutputs;
