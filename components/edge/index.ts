export * from "./edge";
export * from "./rollout";
export * from "./workerBundle";
