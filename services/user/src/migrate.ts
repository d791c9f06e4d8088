/** `bun run migrate`: applies the user service's migrations and exits. */
import { migrateCommand } from "@platform/db";
import { loadUserConfig } from "./config.js";
import { migrations } from "./store/migrations/index.js";

await migrateCommand("user", loadUserConfig(), migrations);
