/**
 * The notification service process: the `notification` consumer group, the delivery worker, the
 * WebSocket hub and the REST API. On SIGTERM: stop listening, let the consumer and the worker
 * finish what they hold, then close the connections.
 */
import { verifierFromConfig } from "@platform/auth";
import { openServiceDatabase } from "@platform/db";
import { ConsumerMetrics } from "@platform/events";
import { createMetrics, serve } from "@platform/http";
import { createLogger } from "@platform/logging";
import { createRedis, waitForRedis } from "@platform/redis";
import { createApp } from "./app.js";
import { loadNotificationConfig } from "./config.js";
import { createNotificationRuntime } from "./runtime.js";
import { migrations } from "./store/migrations/index.js";
import type { NotificationDatabase } from "./store/notification.table.js";

const config = loadNotificationConfig();
const logger = createLogger({ service: "notification", level: config.LOG_LEVEL });
const metrics = createMetrics("notification");
const db = await openServiceDatabase<NotificationDatabase>("notification", config, migrations, logger);
const redis = createRedis(config.REDIS_URL, logger);
await waitForRedis(redis, logger, config.STARTUP_TIMEOUT_MS);
const verifier = verifierFromConfig(config);
const { hub, worker, email, newConsumer, retention } = createNotificationRuntime(config, {
  db,
  redis,
  logger,
  registry: metrics.registry,
  consumerMetrics: new ConsumerMetrics(metrics.registry),
});
const consumer = newConsumer();
await hub.start();
await consumer.start();
worker.start();
retention.start();

serve(createApp({ db, redis, verifier, worker, hub, logger, metrics }), {
  port: config.PORT,
  logger,
  closers: [
    { name: "consumer", close: () => consumer.stop() },
    { name: "delivery worker", close: () => worker.stop() },
    { name: "retention", close: () => retention.stop() },
    { name: "socket hub", close: () => hub.stop() },
    { name: "smtp", close: () => email.close() },
    { name: "redis", close: () => redis.quit() },
    { name: "postgres", close: () => db.destroy() },
  ],
});
