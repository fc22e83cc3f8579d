/** The guardrails stack: reads every platform stack's config and declares the guardrails (guardrails.ts). */
import { validateConfig } from "../config/load";
import { STACK_NAMES } from "../policies/lib/environments";
import { rawPlatformConfig, readStackFile } from "../tools/plan/stackFile";
import { declareGuardrails } from "./guardrails";

export = declareGuardrails(
    Object.fromEntries(STACK_NAMES.map((stack) => [stack, validateConfig(rawPlatformConfig(stack, readStackFile(stack)))])),
);
