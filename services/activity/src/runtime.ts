/**
 * The activity service wired from its config, for main.ts and the tests alike: the consumer group
 * on the order, inventory and payment streams, the retention job and the REST app. Nothing starts
 * here; start() and stop() run and end the background work.
 */
import type { TokenVerifier } from "@platform/auth";
import { consumerGroupSettings } from "@platform/config";
import { ConsumerMetrics } from "@platform/events";
import { createMetrics, type HttpMetrics } from "@platform/http";
import { retentionJob } from "@platform/jobs";
import type { Logger } from "@platform/logging";
import type { Redis } from "ioredis";
import type { Db } from "mongodb";
import { createApp } from "./app.js";
import type { ActivityConfig } from "./config.js";
import { activityConsumer } from "./events/activity-consumer.js";
import { activityCollection, pruneEntries } from "./store/activity.store.js";

export interface ActivityConnections {
  mongo: Db;
  redis: Redis;
  verifier: TokenVerifier;
  logger: Logger;
  metrics?: HttpMetrics;
}

export function createActivityRuntime(config: ActivityConfig, connections: ActivityConnections) {
  const { mongo, redis, verifier, logger } = connections;
  const metrics = connections.metrics ?? createMetrics("activity");
  const entries = activityCollection(mongo);
  const consumerMetrics = new ConsumerMetrics(metrics.registry);
  /** A member of the consumer group; tests start several to share the streams. */
  const newConsumer = (name?: string) =>
    activityConsumer({
      ...consumerGroupSettings(config),
      redis,
      entries,
      logger: logger.child({ component: "consumer" }),
      metrics: consumerMetrics,
      consumer: name,
    });
  const consumer = newConsumer();
  const retention = retentionJob({
    name: "activity retention",
    days: config.ACTIVITY_RETENTION_DAYS,
    prune: (before) => pruneEntries(entries, before),
    logger: logger.child({ component: "retention" }),
  });
  const app = createApp(config, { mongo, entries, redis, verifier, logger, metrics });
  return {
    entries,
    metrics,
    newConsumer,
    consumer,
    retention,
    app,
    async start() {
      await consumer.start();
      retention.start();
    },
    /** Lets the event in hand finish, then stops. */
    async stop() {
      await Promise.all([consumer.stop(), retention.stop()]);
    },
  };
}

export type ActivityRuntime = ReturnType<typeof createActivityRuntime>;
