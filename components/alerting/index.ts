export * from "./alarmTopic";
