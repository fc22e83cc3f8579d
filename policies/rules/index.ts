/** Every rule of the pack, by area. The pack, the plan and the audit all read this list. */
import type { Rule } from "../engine";

export const ALL_RULES: readonly Rule[] = [];
