/**
 * The inventory service wired from its config, for main.ts and the tests alike: the stock store,
 * the two event relays (the stock scripts' Redis outbox, the catalog's Postgres outbox), the
 * reservation sweeper, the gRPC server, the REST app and the metrics on its /metrics. Nothing
 * starts here; start() and stop() run and end the background work (the gRPC server listens where
 * main.ts says).
 */
import type { TokenVerifier } from "@platform/auth";
import { outboxRelaySettings } from "@platform/config";
import { createMetrics, type HttpMetrics } from "@platform/http";
import type { Logger } from "@platform/logging";
import { OutboxRelay, outboxBacklogGauge } from "@platform/outbox";
import { whenRedisReturns } from "@platform/redis";
import type { Redis } from "ioredis";
import { createApp } from "./app.js";
import type { InventoryConfig } from "./config.js";
import { StockEventRelay } from "./events/stock-event-relay.js";
import { createGrpcServer } from "./grpc/server.js";
import { ReservationSweeper } from "./stock/reservation-sweeper.js";
import { stockKeys } from "./stock/stock-keys.js";
import { stockLowGauge } from "./stock/stock-metrics.js";
import { StockStore } from "./stock/stock-store.js";
import type { InventoryDb } from "./store/product.store.js";
import { applyProductChanges, syncSellableCatalog } from "./use-cases/catalog.js";

export interface InventoryConnections {
  db: InventoryDb;
  redis: Redis;
  verifier: TokenVerifier;
  logger: Logger;
  /** The /metrics registry to use (one is made if absent). */
  metrics?: HttpMetrics;
}

export function createInventoryRuntime(config: InventoryConfig, connections: InventoryConnections) {
  const { db, redis, verifier, logger } = connections;
  const metrics = connections.metrics ?? createMetrics("inventory");
  const keys = stockKeys(config.REDIS_KEY_PREFIX);
  const stock = new StockStore(redis, keys, config.RESERVATION_RETENTION_SECONDS);
  stockLowGauge(metrics.registry, stock);
  outboxBacklogGauge(metrics.registry, db);
  const stockEvents = new StockEventRelay({
    redis,
    outboxKey: keys.outbox,
    lockKey: keys.relayLock,
    stream: config.EVENTS_STREAM,
    intervalMs: config.OUTBOX_POLL_MS,
    logger: logger.child({ component: "stock-event-relay" }),
  });
  const catalogEvents = new OutboxRelay({
    name: "catalog outbox relay",
    db,
    redis,
    logger: logger.child({ component: "catalog-outbox-relay" }),
    ...outboxRelaySettings(config),
    beforePublish: applyProductChanges(stock),
  });
  const sweeper = new ReservationSweeper(
    stock,
    logger.child({ component: "sweeper" }),
    config.SWEEP_INTERVAL_MS,
  );
  const grpc = createGrpcServer(
    {
      stock,
      stockEvents,
      reservationTtlSeconds: config.RESERVATION_TTL_SECONDS,
      maxReservationTtlSeconds: config.MAX_RESERVATION_TTL_SECONDS,
    },
    logger,
    metrics.registry,
    { maxConnectionAgeMs: config.GRPC_MAX_CONNECTION_AGE_MS },
  );
  const app = createApp(config, { db, redis, stock, stockEvents, catalogEvents, verifier, logger, metrics });
  const catalogResync = whenRedisReturns(redis, () =>
    syncSellableCatalog({ db, stock, logger }).then(
      (products) => logger.info({ products }, "Redis is back: the sellable catalog synced to it again"),
      (err) => logger.warn({ err }, "could not sync the sellable catalog again; next time Redis is back"),
    ),
  );
  return {
    app,
    metrics,
    keys,
    stock,
    stockEvents,
    catalogEvents,
    sweeper,
    catalogResync,
    grpc,
    /** Starts the background work: both relays, the sweeper, the catalog's sync when Redis returns. */
    start() {
      stockEvents.start();
      catalogEvents.start();
      sweeper.start();
      catalogResync.start();
    },
    /** Stops it, each letting its pass in hand finish. */
    async stop() {
      catalogResync.stop();
      await Promise.all([stockEvents.stop(), catalogEvents.stop(), sweeper.stop()]);
    },
  };
}
