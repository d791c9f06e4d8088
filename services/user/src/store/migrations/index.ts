import type { Migration } from "@platform/db";
import * as users from "./0001-users.js";
import * as sessions from "./0002-sessions.js";
import * as phone from "./0003-phone.js";
import * as notificationPreferences from "./0004-notification-preferences.js";
import * as revocationIndexes from "./0005-revocation-indexes.js";

/** Every migration of the user service, in order. */
export const migrations: Record<string, Migration> = {
  "0001-users": users,
  "0002-sessions": sessions,
  "0003-phone": phone,
  "0004-notification-preferences": notificationPreferences,
  "0005-revocation-indexes": revocationIndexes,
};
