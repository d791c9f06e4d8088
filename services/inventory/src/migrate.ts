/** `bun run migrate`: applies the inventory service's migrations and exits. */
import { migrateCommand } from "@platform/db";
import { migrations } from "./catalog/migrations/index.js";
import { loadInventoryConfig } from "./config.js";

await migrateCommand("inventory", loadInventoryConfig(), migrations);
