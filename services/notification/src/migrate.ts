/** `bun run migrate`: applies the notification service's migrations and exits. */
import { migrateCommand } from "@platform/db";
import { loadNotificationConfig } from "./config.js";
import { migrations } from "./store/migrations/index.js";

await migrateCommand("notification", loadNotificationConfig(), migrations);
