export * from "./network";
export * from "./subnetLayout";
