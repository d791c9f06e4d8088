/** Builds the notification service's REST + WebSocket app; never listens. */
import type { TokenVerifier } from "@platform/auth";
import { pingDatabase } from "@platform/db";
import { type HttpMetrics, httpKernel } from "@platform/http";
import type { Logger } from "@platform/logging";
import { Elysia } from "elysia";
import type { Redis } from "ioredis";
import type { Kysely } from "kysely";
import type { NotificationConfig } from "./config.js";
import type { DeliveryWorker } from "./delivery/delivery-worker.js";
import { notificationsRoutes } from "./routes/notifications.js";
import { websocketRoutes } from "./routes/websocket.js";
import type { NotificationDb } from "./store/notification.store.js";
import type { SocketHub } from "./ws/socket-hub.js";

export interface NotificationAppDeps {
  db: NotificationDb;
  redis: Redis;
  verifier: TokenVerifier;
  worker: DeliveryWorker;
  hub: SocketHub;
  logger: Logger;
  metrics: HttpMetrics;
}

export function createApp(
  _config: NotificationConfig,
  { db, redis, verifier, worker, hub, logger, metrics }: NotificationAppDeps,
) {
  return new Elysia()
    .use(
      httpKernel({
        service: "notification",
        logger,
        metrics,
        description: "Notifications by log, email, webhook and WebSocket, with their delivery state.",
        readiness: {
          postgres: () => pingDatabase(db as Kysely<unknown>),
          redis: () => redis.ping(),
        },
        // Reported, never a 503: without a channel the service still stores, lists and pushes
        // (the channel's messages wait, pending), and an orchestrator that took it out of service
        // for the SMTP server's outage would end the WebSocket pushes and the notification pages too.
        degradable: worker.channelChecks(),
      }),
    )
    .use(notificationsRoutes({ db, verifier, worker }))
    .use(websocketRoutes({ verifier, hub }));
}
