/**
 * The inventory service's moving parts besides the REST app, built from config in one place for
 * main.ts and the tests: the stock store, the outbox relay, the reservation sweeper and the gRPC
 * server. Nothing is started here.
 */
import type { Logger } from "@platform/logging";
import type { Redis } from "ioredis";
import type { InventoryDb } from "./catalog/product.store.js";
import type { InventoryConfig } from "./config.js";
import { OutboxRelay } from "./events/outbox-relay.js";
import { createGrpcServer } from "./grpc/server.js";
import { ReservationSweeper } from "./stock/reservation-sweeper.js";
import { stockKeys } from "./stock/stock-keys.js";
import { StockStore } from "./stock/stock-store.js";

export async function createInventoryRuntime(
  config: InventoryConfig,
  { db, redis, logger }: { db: InventoryDb; redis: Redis; logger: Logger },
) {
  const keys = stockKeys(config.REDIS_KEY_PREFIX);
  const stock = await StockStore.create(redis, keys);
  const relay = new OutboxRelay({
    redis,
    outboxKey: keys.outbox,
    lockKey: keys.relayLock,
    stream: config.EVENTS_STREAM,
    streamMaxLen: config.STREAM_MAX_LEN,
    intervalMs: config.OUTBOX_INTERVAL_MS,
    logger: logger.child({ component: "outbox-relay" }),
  });
  const sweeper = new ReservationSweeper(
    stock,
    logger.child({ component: "sweeper" }),
    config.SWEEP_INTERVAL_MS,
  );
  const grpc = createGrpcServer(
    {
      db,
      stock,
      relay,
      reservationTtlSeconds: config.RESERVATION_TTL_SECONDS,
      maxReservationTtlSeconds: config.MAX_RESERVATION_TTL_SECONDS,
    },
    logger,
  );
  return { keys, stock, relay, sweeper, grpc };
}
