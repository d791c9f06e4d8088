/**
 * The order service wired from its config, for main.ts and the tests alike: the user client, the
 * reservation client (inventory over gRPC, behind a breaker), the reservation task worker, the
 * outbox relay, the payment consumer (with a payment provider), the REST app and the metrics on
 * its /metrics. Nothing starts here; start() and
 * stop() run and end the background work.
 */
import type { TokenVerifier } from "@platform/auth";
import { groupSettings, outboxRelaySettings } from "@platform/config";
import { ConsumerMetrics } from "@platform/events";
import { createMetrics, type HttpMetrics } from "@platform/http";
import type { Logger } from "@platform/logging";
import { OutboxRelay, outboxBacklogGauge } from "@platform/outbox";
import type { Redis } from "ioredis";
import { createApp } from "./app.js";
import { ReservationClient } from "./clients/reservation-client.js";
import { UserClient } from "./clients/user-client.js";
import type { OrderConfig } from "./config.js";
import { paymentConsumer } from "./events/payment-consumer.js";
import { pruneKeys } from "./store/idempotency.store.js";
import type { OrderDb } from "./store/order.store.js";
import { ReservationTasks } from "./tasks/reservation-tasks.js";
import type { OrderDeps } from "./use-cases/order-deps.js";
import { PlacementMetrics } from "./use-cases/placement-metrics.js";

const HOUR_MS = 3_600_000;

export interface OrderConnections {
  db: OrderDb;
  redis: Redis;
  verifier: TokenVerifier;
  logger: Logger;
  /** The /metrics registry to use (one is made if absent). */
  metrics?: HttpMetrics;
}

export function createOrderRuntime(config: OrderConfig, connections: OrderConnections) {
  const { db, redis, verifier, logger } = connections;
  const metrics = connections.metrics ?? createMetrics("order");
  outboxBacklogGauge(metrics.registry, db);
  const users = new UserClient({
    baseUrl: config.USER_SERVICE_URL,
    timeoutMs: config.USER_TIMEOUT_MS,
    cacheTtlMs: config.USER_CACHE_TTL_MS,
    logger,
  });
  const inventory = new ReservationClient({
    address: config.INVENTORY_GRPC_ADDRESS,
    deadlineMs: config.INVENTORY_DEADLINE_MS,
    retries: config.INVENTORY_RETRIES,
    breakerErrorPercent: config.BREAKER_ERROR_PERCENT,
    breakerVolume: config.BREAKER_VOLUME,
    breakerResetMs: config.BREAKER_RESET_MS,
    logger: logger.child({ component: "inventory" }),
    registry: metrics.registry,
  });
  const relay = new OutboxRelay({
    name: "order outbox relay",
    db,
    redis,
    logger: logger.child({ component: "outbox-relay" }),
    ...outboxRelaySettings(config),
    prune: async () => ({
      idempotencyKeys: await pruneKeys(
        db,
        new Date(Date.now() - config.IDEMPOTENCY_RETENTION_HOURS * HOUR_MS),
      ),
    }),
  });
  const tasks = new ReservationTasks({
    db,
    inventory,
    relay,
    logger: logger.child({ component: "reservation-tasks" }),
    eventsStream: config.EVENTS_STREAM,
    reservationTtlSeconds: config.RESERVATION_TTL_SECONDS,
    intervalMs: config.TASK_INTERVAL_MS,
  });
  const deps: OrderDeps = {
    db,
    users,
    inventory,
    tasks,
    relay,
    eventsStream: config.EVENTS_STREAM,
    reservationTtlSeconds: config.RESERVATION_TTL_SECONDS,
    payments: {
      required: config.PAYMENT_PROVIDER !== "none",
      windowSeconds: config.PAYMENT_WINDOW_SECONDS,
    },
    logger,
  };
  // Payment outcomes confirm or cancel orders; without a provider there are none to read.
  const paymentEvents = deps.payments.required
    ? paymentConsumer(deps, {
        ...groupSettings(config, [config.PAYMENTS_STREAM]),
        redis,
        logger: logger.child({ component: "payment-consumer" }),
        metrics: new ConsumerMetrics(metrics.registry),
      })
    : undefined;
  const app = createApp(config, {
    ...deps,
    redis,
    verifier,
    metrics,
    placements: new PlacementMetrics(metrics.registry),
  });
  return {
    ...deps,
    metrics,
    app,
    paymentEvents,
    async start() {
      relay.start();
      tasks.start();
      await paymentEvents?.start();
    },
    /** Lets the passes and the event in hand finish, then closes the inventory channel. */
    async stop() {
      await Promise.all([tasks.stop(), relay.stop(), paymentEvents?.stop()]);
      inventory.close();
    },
  };
}

export type OrderRuntime = ReturnType<typeof createOrderRuntime>;
