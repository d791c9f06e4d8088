/** Builds the inventory service's REST app from its config and dependencies; never listens. */
import type { TokenVerifier } from "@platform/auth";
import { pingDatabase } from "@platform/db";
import { httpKernel } from "@platform/http";
import type { Logger } from "@platform/logging";
import { Elysia } from "elysia";
import type { Redis } from "ioredis";
import type { Kysely } from "kysely";
import type { InventoryDb } from "./catalog/product.store.js";
import type { InventoryConfig } from "./config.js";
import type { OutboxRelay } from "./events/outbox-relay.js";
import { productsRoutes } from "./routes/products.js";
import type { StockStore } from "./stock/stock-store.js";

export interface InventoryServiceDeps {
  db: InventoryDb;
  redis: Redis;
  stock: StockStore;
  relay: OutboxRelay;
  verifier: TokenVerifier;
  logger: Logger;
}

export function createApp(config: InventoryConfig, deps: InventoryServiceDeps) {
  const { db, redis, logger } = deps;
  return new Elysia()
    .use(
      httpKernel({
        service: "inventory",
        logger,
        description: "Product catalog and stock. Reservations are gRPC (proto/inventory/v1).",
        readiness: {
          postgres: () => pingDatabase(db as Kysely<unknown>),
          redis: () => redis.ping(),
        },
      }),
    )
    .use(
      productsRoutes({
        ...deps,
        defaultCurrency: config.DEFAULT_CURRENCY,
        defaultLowStockThreshold: config.DEFAULT_LOW_STOCK_THRESHOLD,
      }),
    );
}
