/**
 * The notification service process: the `notification` consumer group, the delivery worker, the
 * WebSocket hub and the REST API. On SIGTERM: stop listening, let the consumer and the worker
 * finish what they hold, then close the connections.
 */
import { startVerifier } from "@platform/auth";
import { openServiceDatabase } from "@platform/db";
import { serve } from "@platform/http";
import { createLogger } from "@platform/logging";
import { createRedis, waitForRedis } from "@platform/redis";
import { startTracing } from "@platform/telemetry";
import { loadNotificationConfig } from "./config.js";
import { createNotificationRuntime } from "./runtime.js";
import { migrations } from "./store/migrations/index.js";
import type { NotificationDatabase } from "./store/notification.table.js";

const config = loadNotificationConfig();
// First: what is made below (logger, Redis, database, HTTP and gRPC) takes up tracing only if it is on already.
const tracing = await startTracing({ service: "notification", ...config });
const logger = createLogger({ service: "notification", level: config.LOG_LEVEL });
const db = await openServiceDatabase<NotificationDatabase>("notification", config, migrations, logger);
const redis = createRedis(config.REDIS_URL, logger);
await waitForRedis(redis, logger, config.STARTUP_TIMEOUT_MS);
const { verifier, revocations } = await startVerifier(config, redis);
const runtime = createNotificationRuntime(config, {
  db,
  redis,
  verifier,
  logger,
});
await runtime.start();

serve(runtime.app, {
  hostname: config.HOST,
  port: config.PORT,
  logger,
  closers: [
    { name: "background work", close: () => runtime.stop() },
    { name: "revocations", close: () => revocations.close() },
    { name: "redis", close: () => redis.quit() },
    { name: "postgres", close: () => db.destroy() },
    { name: "traces", close: () => tracing.shutdown() },
  ],
});
