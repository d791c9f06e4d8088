/**
 * The order service's collaborators, built from config in one place for main.ts and the tests:
 * the user client, the inventory gateway (gRPC + breaker), the reservation task worker and the
 * outbox relay. Nothing is started here.
 */
import type { Logger } from "@platform/logging";
import type { Redis } from "ioredis";
import { InventoryGateway } from "./clients/inventory-gateway.js";
import { UserClient } from "./clients/user-client.js";
import type { OrderConfig } from "./config.js";
import { OrderOutboxRelay } from "./events/outbox-relay.js";
import type { OrderDeps } from "./orders/order-deps.js";
import type { OrderDb } from "./store/order.store.js";
import { ReservationTasks } from "./tasks/reservation-tasks.js";

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
  const inventory = new InventoryGateway({
    address: config.INVENTORY_GRPC_ADDRESS,
    deadlineMs: config.INVENTORY_DEADLINE_MS,
    retries: config.INVENTORY_RETRIES,
    breakerErrorPercent: config.BREAKER_ERROR_PERCENT,
    breakerVolume: config.BREAKER_VOLUME,
    breakerResetMs: config.BREAKER_RESET_MS,
    logger: logger.child({ component: "inventory" }),
  });
  const tasks = new ReservationTasks(
    db,
    inventory,
    logger.child({ component: "reservation-tasks" }),
    config.TASK_INTERVAL_MS,
  );
  const relay = new OrderOutboxRelay({
    db,
    redis,
    logger: logger.child({ component: "outbox-relay" }),
    streamMaxLen: config.STREAM_MAX_LEN,
    pollMs: config.OUTBOX_POLL_MS,
    outboxRetentionMs: config.OUTBOX_RETENTION_HOURS * HOUR_MS,
    idempotencyRetentionMs: config.IDEMPOTENCY_RETENTION_HOURS * HOUR_MS,
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
