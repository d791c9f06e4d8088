/**
 * The activity service process: the `activity` consumer group on the order and inventory streams,
 * and the REST queries. On SIGTERM the listener stops, the consumer finishes the event in hand,
 * then the connections close.
 */
import { verifierFromConfig } from "@platform/auth";
import { ConsumerMetrics } from "@platform/events";
import { createMetrics, serve } from "@platform/http";
import { retentionJob, waitForDependency } from "@platform/jobs";
import { createLogger } from "@platform/logging";
import { createRedis, waitForRedis } from "@platform/redis";
import { MongoClient } from "mongodb";
import { createApp } from "./app.js";
import { loadActivityConfig } from "./config.js";
import { activityConsumer } from "./events/activity-consumer.js";
import { activityCollection, ensureIndexes, pruneEntries } from "./store/activity.store.js";

const config = loadActivityConfig();
const logger = createLogger({ service: "activity", level: config.LOG_LEVEL });
const metrics = createMetrics("activity");
// No explicit connect(): the driver connects on the first operation and reconnects by itself.
// Bounded waits: a server that vanished mid-operation must not hold the consumer forever.
const client = new MongoClient(config.MONGO_URL, {
  serverSelectionTimeoutMS: 5_000,
  socketTimeoutMS: 30_000,
});
const mongo = client.db(config.MONGO_DB);
const entries = activityCollection(mongo);
await waitForDependency("mongodb", () => ensureIndexes(entries), {
  logger,
  timeoutMs: config.STARTUP_TIMEOUT_MS,
});
const redis = createRedis(config.REDIS_URL, logger);
await waitForRedis(redis, logger, config.STARTUP_TIMEOUT_MS);
const verifier = verifierFromConfig(config);

const consumer = activityConsumer({
  redis,
  entries,
  streams: [config.ORDERS_STREAM, config.INVENTORY_STREAM],
  group: config.CONSUMER_GROUP,
  maxDeliveries: config.MAX_DELIVERIES,
  claimIdleMs: config.CLAIM_IDLE_MS,
  blockMs: config.CONSUMER_BLOCK_MS,
  logger: logger.child({ component: "consumer" }),
  metrics: new ConsumerMetrics(metrics.registry),
});
await consumer.start();
const retention = retentionJob({
  name: "activity retention",
  days: config.ACTIVITY_RETENTION_DAYS,
  prune: (before) => pruneEntries(entries, before),
  logger: logger.child({ component: "retention" }),
});
retention.start();

serve(createApp({ mongo, entries, redis, verifier, logger, metrics }), {
  port: config.PORT,
  logger,
  closers: [
    { name: "consumer", close: () => consumer.stop() },
    { name: "retention", close: () => retention.stop() },
    { name: "redis", close: () => redis.quit() },
    { name: "mongodb", close: () => client.close() },
  ],
});
