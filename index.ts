/**
 * The ops-platform program: read the stack's config, build the platform, export its outputs.
 */
import { Platform } from "./components/platform";
import { readStackConfig } from "./config/stackConfig";
import { physicalName } from "./config/tagging";

// Named `<service>-<environment>`: every name below it is the environment's own, even when stacks share an account.
const config = readStackConfig();
const platform = new Platform(physicalName(config), { config });

export = platform.stackOutputs;
