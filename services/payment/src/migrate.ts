/** `bun run migrate`: applies the payment service's migrations and exits. */
import { migrateCommand } from "@platform/db";
import { loadPaymentConfig } from "./config.js";
import { migrations } from "./store/migrations/index.js";

await migrateCommand("payment", loadPaymentConfig(), migrations);
