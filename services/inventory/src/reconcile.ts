/**
 * `bun run reconcile [--repair]`: compares the stock in Redis with the reservations and the orders
 * behind them, prints what drifted (JSON lines, then a summary) and, with --repair, mends it.
 * Exits 1 when drift is found and not repaired, so a scheduler (a CronJob) can alert on it.
 */
import { createLogger } from "@platform/logging";
import { Redis } from "ioredis";
import { loadInventoryConfig } from "./config.js";
import { orderServiceStates, reconcile } from "./stock/reconcile.js";
import { stockKeys } from "./stock/stock-keys.js";
import { StockStore } from "./stock/stock-store.js";

const repair = process.argv.includes("--repair");
const config = loadInventoryConfig();
const logger = createLogger({ service: "inventory-reconcile", level: "silent" });
const redis = new Redis(config.REDIS_URL);
try {
  const stock = new StockStore(
    redis,
    stockKeys(config.REDIS_KEY_PREFIX),
    config.RESERVATION_RETENTION_SECONDS,
  );
  const report = await reconcile(stock, orderServiceStates(config.ORDER_SERVICE_URL), { repair, logger });
  for (const item of report.drift) console.log(JSON.stringify(item));
  console.log(
    `reconcile: ${report.reservations} reservation(s), ${report.skus} SKU(s), ${report.drift.length} drift(s)${repair ? " repaired" : ""}`,
  );
  process.exitCode = report.drift.length > 0 && !repair ? 1 : 0;
} finally {
  redis.disconnect();
}
