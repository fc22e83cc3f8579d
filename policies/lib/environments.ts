/** The stacks of this project; each is one environment. */
export const STACK_NAMES = ["dev", "staging", "production"] as const;
