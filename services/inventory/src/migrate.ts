/** `bun run migrate`: applies the inventory service's migrations and exits. */
import { migrateCommand } from "@platform/db";
import { loadInventoryConfig } from "./config.js";
import { migrations } from "./store/migrations/index.js";

await migrateCommand("inventory", loadInventoryConfig(), migrations);
