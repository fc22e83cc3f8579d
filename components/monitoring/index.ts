export * from "./alertRouting";
export * from "./alertRules";
export * from "./dashboards";
export * from "./monitoring";
export * from "./ruleTypes";
export * from "./sloRules";
