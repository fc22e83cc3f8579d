export * from "./serviceRole";
