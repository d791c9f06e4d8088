import type { Migration } from "@platform/db";
import * as notifications from "./0001-notifications.js";
import * as deliveryLanes from "./0002-delivery-lanes.js";
import * as smsChannel from "./0003-sms-channel.js";
import * as traceContext from "./0004-trace-context.js";
import * as vacuumOften from "./0005-vacuum-often.js";
import * as quietAutovacuum from "./0006-quiet-autovacuum.js";

/** Every migration of the notification service, in order. */
export const migrations: Record<string, Migration> = {
  "0001-notifications": notifications,
  "0002-delivery-lanes": deliveryLanes,
  "0003-sms-channel": smsChannel,
  "0004-trace-context": traceContext,
  "0005-vacuum-often": vacuumOften,
  "0006-quiet-autovacuum": quietAutovacuum,
};
