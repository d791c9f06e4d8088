/** Builds the activity service's REST app from its config and dependencies; never listens. */
import type { TokenVerifier } from "@platform/auth";
import { type HttpMetrics, httpKernel } from "@platform/http";
import type { Logger } from "@platform/logging";
import { Elysia } from "elysia";
import type { Redis } from "ioredis";
import type { Db } from "mongodb";
import type { ActivityConfig } from "./config.js";
import { activityRoutes } from "./routes/activity.js";
import { deadLetterRoutes } from "./routes/dead-letters.js";
import type { ActivityCollection } from "./store/activity.store.js";

export interface ActivityAppDeps {
  mongo: Db;
  entries: ActivityCollection;
  redis: Redis;
  verifier: TokenVerifier;
  logger: Logger;
  metrics: HttpMetrics;
}

export function createApp(
  config: ActivityConfig,
  { mongo, entries, redis, verifier, logger, metrics }: ActivityAppDeps,
) {
  return new Elysia()
    .use(
      httpKernel({
        service: "activity",
        logger,
        metrics,
        description: "The activity log: every domain event, stored once in MongoDB.",
        readiness: {
          mongodb: () => mongo.command({ ping: 1 }),
          redis: () => redis.ping(),
        },
      }),
    )
    .use(activityRoutes({ entries, verifier, logger }))
    .use(
      deadLetterRoutes({
        redis,
        streams: {
          orders: config.ORDERS_STREAM,
          inventory: config.INVENTORY_STREAM,
          payments: config.PAYMENTS_STREAM,
        },
        verifier,
        logger,
      }),
    );
}
