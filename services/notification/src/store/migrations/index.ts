import type { Migration } from "@platform/db";
import * as notifications from "./0001-notifications.js";

/** Every migration of the notification service, in order. */
export const migrations: Record<string, Migration> = {
  "0001-notifications": notifications,
};
