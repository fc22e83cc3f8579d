export * from "./backup";
export * from "./planRules";
