/**
 * The inventory service process: REST catalog on PORT, gRPC InventoryService on GRPC_PORT, the
 * reservation sweeper and the outbox relay; all stopped gracefully on SIGTERM/SIGINT.
 */
import { verifierFromConfig } from "@platform/auth";
import { openServiceDatabase } from "@platform/db";
import { serve } from "@platform/http";
import { createLogger } from "@platform/logging";
import { createRedis, waitForRedis } from "@platform/redis";
import { createApp } from "./app.js";
import { migrations } from "./catalog/migrations/index.js";
import type { InventoryDatabase } from "./catalog/product.table.js";
import { loadInventoryConfig } from "./config.js";
import { createInventoryRuntime } from "./runtime.js";

const config = loadInventoryConfig();
const logger = createLogger({ service: "inventory", level: config.LOG_LEVEL });
const db = await openServiceDatabase<InventoryDatabase>("inventory", config, migrations);
const redis = createRedis(config.REDIS_URL, logger);
await waitForRedis(redis);
const { stock, relay, sweeper, grpc } = await createInventoryRuntime(config, { db, redis, logger });
const verifier = verifierFromConfig(config);

const grpcPort = await grpc.listen(`0.0.0.0:${config.GRPC_PORT}`);
logger.info({ grpcPort }, "gRPC listening");
relay.start();
sweeper.start();

serve(createApp(config, { db, redis, stock, relay, verifier, logger }), {
  port: config.PORT,
  logger,
  closers: [
    { name: "grpc", close: () => grpc.shutdown() },
    { name: "sweeper", close: () => sweeper.stop() },
    { name: "outbox relay", close: () => relay.stop() },
    { name: "redis", close: () => redis.quit() },
    { name: "postgres", close: () => db.destroy() },
  ],
});
