export * from "./fleet";
export * from "./userData";
