/**
 * The order service's collaborators, built from config in one place for main.ts and the tests:
 * the user client, the reservation client (inventory over gRPC, behind a breaker), the reservation task worker and the
 * outbox relay. Nothing is started here.
 */
import type { Logger } from "@platform/logging";
import { OutboxRelay } from "@platform/outbox";
import type { Redis } from "ioredis";
import { ReservationClient } from "./clients/reservation-client.js";
import { UserClient } from "./clients/user-client.js";
import type { OrderConfig } from "./config.js";
import { pruneKeys } from "./store/idempotency.store.js";
import type { OrderDb } from "./store/order.store.js";
import { ReservationTasks } from "./tasks/reservation-tasks.js";
import type { OrderDeps } from "./use-cases/order-deps.js";

const HOUR_MS = 3_600_000;

export function createOrderRuntime(
  config: OrderConfig,
  { db, redis, logger }: { db: OrderDb; redis: Redis; logger: Logger },
): OrderDeps {
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
  });
  const relay = new OutboxRelay({
    name: "order outbox relay",
    db,
    redis,
    logger: logger.child({ component: "outbox-relay" }),
    pollMs: config.OUTBOX_POLL_MS,
    retentionMs: config.OUTBOX_RETENTION_HOURS * HOUR_MS,
    prune: async () => ({
      idempotencyKeys: await pruneKeys(
        db,
        new Date(Date.now() - config.IDEMPOTENCY_RETENTION_HOURS * HOUR_MS),
      ),
    }),
    streams: [config.EVENTS_STREAM],
    streamMaxLen: config.STREAM_MAX_LEN,
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
  return {
    db,
    users,
    inventory,
    tasks,
    relay,
    eventsStream: config.EVENTS_STREAM,
    reservationTtlSeconds: config.RESERVATION_TTL_SECONDS,
    logger,
  };
}
