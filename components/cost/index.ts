export * from "./costGuardrails";
