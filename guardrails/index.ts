/** The guardrails stack: reads every platform stack's config and declares the guardrails (guardrails.ts). */
import { everyStackConfig } from "../tools/plan/stackFile";
import { declareGuardrails } from "./guardrails";

export = declareGuardrails(everyStackConfig());
