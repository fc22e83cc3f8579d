export * from "./applicationLoadBalancer";
export * from "./autoScalingFleet";
export * from "./fleet";
export * from "./fleetAlarms";
export * from "./patching";
export * from "./userData";
