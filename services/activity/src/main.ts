/**
 * The activity service process: the `activity` consumer group on the order, inventory and payment
 * streams, and the REST queries. On SIGTERM the listener stops, the consumer finishes the event in
 * hand, then the connections close.
 */
import { startVerifier } from "@platform/auth";
import { serve } from "@platform/http";
import { waitForDependency } from "@platform/jobs";
import { createLogger } from "@platform/logging";
import { createRedis, waitForRedis } from "@platform/redis";
import { startTracing } from "@platform/telemetry";
import { MongoClient } from "mongodb";
import { loadActivityConfig } from "./config.js";
import { createActivityRuntime } from "./runtime.js";
import { activityCollection, ensureIndexes } from "./store/activity.store.js";

const config = loadActivityConfig();
// First: what is made below (logger, Redis, database, HTTP and gRPC) takes up tracing only if it is on already.
const tracing = await startTracing({ service: "activity", ...config });
const logger = createLogger({ service: "activity", level: config.LOG_LEVEL });
// No explicit connect(): the driver connects on the first operation and reconnects by itself.
// Bounded waits: a server that vanished mid-operation must not hold the consumer forever.
const client = new MongoClient(config.MONGO_URL, {
  serverSelectionTimeoutMS: 5_000,
  socketTimeoutMS: 30_000,
});
const mongo = client.db(config.MONGO_DB);
await waitForDependency("mongodb", () => ensureIndexes(activityCollection(mongo)), {
  logger,
  timeoutMs: config.STARTUP_TIMEOUT_MS,
});
const redis = createRedis(config.REDIS_URL, logger);
await waitForRedis(redis, logger, config.STARTUP_TIMEOUT_MS);
const { verifier, revocations } = await startVerifier(config, redis);

const runtime = createActivityRuntime(config, { mongo, redis, verifier, logger });
await runtime.start();

serve(runtime.app, {
  hostname: config.HOST,
  port: config.PORT,
  logger,
  closers: [
    { name: "background work", close: () => runtime.stop() },
    { name: "revocations", close: () => revocations.close() },
    { name: "redis", close: () => redis.quit() },
    { name: "mongodb", close: () => client.close() },
    { name: "traces", close: () => tracing.shutdown() },
  ],
});
