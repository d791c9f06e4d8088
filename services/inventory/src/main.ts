/**
 * The inventory service process: REST catalog on PORT, gRPC InventoryService on GRPC_PORT, the
 * reservation sweeper and the event relays; all stopped gracefully on SIGTERM/SIGINT.
 */
import { startVerifier } from "@platform/auth";
import { openServiceDatabase } from "@platform/db";
import { serve } from "@platform/http";
import { createLogger } from "@platform/logging";
import { createRedis, waitForRedis } from "@platform/redis";
import { startTracing } from "@platform/telemetry";
import { loadInventoryConfig } from "./config.js";
import { createInventoryRuntime } from "./runtime.js";
import { migrations } from "./store/migrations/index.js";
import type { InventoryDatabase } from "./store/product.table.js";
import { syncSellableCatalog } from "./use-cases/catalog.js";

const config = loadInventoryConfig();
// First: what is made below (logger, Redis, database, HTTP and gRPC) takes up tracing only if it is on already.
const tracing = await startTracing({ service: "inventory", ...config });
const logger = createLogger({ service: "inventory", level: config.LOG_LEVEL });
const db = await openServiceDatabase<InventoryDatabase>("inventory", config, migrations, logger);
const redis = createRedis(config.REDIS_URL, logger);
await waitForRedis(redis, logger, config.STARTUP_TIMEOUT_MS);
const { verifier, revocations } = await startVerifier(config, redis);
const runtime = createInventoryRuntime(config, { db, redis, verifier, logger });
logger.info(
  { products: await syncSellableCatalog({ db, stock: runtime.stock, logger }) },
  "sellable catalog synced to Redis",
);

const grpcPort = await runtime.grpc.listen(
  // An IPv6 host is written in brackets in a gRPC address ("[::]:50051").
  `${config.HOST.includes(":") ? `[${config.HOST}]` : config.HOST}:${config.GRPC_PORT}`,
);
logger.info({ grpcPort }, "gRPC listening");
runtime.start();

serve(runtime.app, {
  hostname: config.HOST,
  port: config.PORT,
  logger,
  closers: [
    { name: "grpc", close: () => runtime.grpc.shutdown() },
    { name: "background work", close: () => runtime.stop() },
    { name: "revocations", close: () => revocations.close() },
    { name: "redis", close: () => redis.quit() },
    { name: "postgres", close: () => db.destroy() },
    { name: "traces", close: () => tracing.shutdown() },
  ],
});
