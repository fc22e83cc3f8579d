/** Every rule of the pack, by area. The pack, the plan and the audit all read this list. */
import type { Rule } from "../engine";
import { BACKUP_RULES } from "./backup";
import { MONITORING_RULES } from "./monitoring";
import { SECURITY_RULES } from "./security";
import { TAGGING_RULES } from "./tagging";

export const ALL_RULES: readonly Rule[] = [...TAGGING_RULES, ...BACKUP_RULES, ...SECURITY_RULES, ...MONITORING_RULES];
