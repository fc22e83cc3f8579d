export * from "./onCall";
