export * from "./edge";
export * from "./edgeLoadBalancer";
export * from "./edgeNotifications";
export * from "./gatewayWorker";
export * from "./kvNamespaces";
export * from "./r2Bucket";
export * from "./rollout";
export * from "./workerBundle";
