export * from "./backup";
export * from "./backupPlan";
export * from "./backupVault";
export * from "./planRules";
export * from "./restoreTests";
export * from "./auditControls";
