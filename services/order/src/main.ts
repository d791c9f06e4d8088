/** The order service process: REST API, outbox relay, reservation task worker and (with a payment provider) the payment consumer; graceful stop on signal. */
import { startVerifier } from "@platform/auth";
import { openServiceDatabase } from "@platform/db";
import { serve } from "@platform/http";
import { createLogger } from "@platform/logging";
import { createRedis, waitForRedis } from "@platform/redis";
import { startTracing } from "@platform/telemetry";
import { loadOrderConfig } from "./config.js";
import { createOrderRuntime } from "./runtime.js";
import { migrations } from "./store/migrations/index.js";
import type { OrderDatabase } from "./store/order.table.js";

const config = loadOrderConfig();
// First: what is made below (logger, Redis, database, HTTP and gRPC) takes up tracing only if it is on already.
const tracing = await startTracing({ service: "order", ...config });
const logger = createLogger({ service: "order", level: config.LOG_LEVEL });
const db = await openServiceDatabase<OrderDatabase>("order", config, migrations, logger);
const redis = createRedis(config.REDIS_URL, logger);
await waitForRedis(redis, logger, config.STARTUP_TIMEOUT_MS);
const { verifier, revocations } = await startVerifier(config, redis);
const runtime = createOrderRuntime(config, { db, redis, verifier, logger });
await runtime.start();

serve(runtime.app, {
  hostname: config.HOST,
  port: config.PORT,
  logger,
  maxRequestBodySize: config.MAX_BODY_BYTES,
  closers: [
    { name: "background work", close: () => runtime.stop() },
    { name: "revocations", close: () => revocations.close() },
    { name: "redis", close: () => redis.quit() },
    { name: "postgres", close: () => db.destroy() },
    { name: "traces", close: () => tracing.shutdown() },
  ],
});
