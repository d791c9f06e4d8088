/** `bun run migrate`: applies the order service's migrations and exits. */
import { migrateCommand } from "@platform/db";
import { loadOrderConfig } from "./config.js";
import { migrations } from "./store/migrations/index.js";

await migrateCommand("order", loadOrderConfig(), migrations);
