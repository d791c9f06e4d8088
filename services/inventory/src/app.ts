/** Builds the inventory service's REST app from its config and dependencies; never listens. */
import type { TokenVerifier } from "@platform/auth";
import { pingDatabase } from "@platform/db";
import { type HttpMetrics, httpKernel } from "@platform/http";
import type { Logger } from "@platform/logging";
import { Elysia } from "elysia";
import type { Redis } from "ioredis";
import type { Kysely } from "kysely";
import type { InventoryConfig } from "./config.js";
import { productsRoutes } from "./routes/products.js";
import type { CatalogDeps } from "./use-cases/catalog.js";

export interface InventoryAppDeps extends Omit<CatalogDeps, "eventsStream"> {
  redis: Redis;
  verifier: TokenVerifier;
  logger: Logger;
  /** The registry /metrics serves (the runtime's, with its gRPC and stock metrics); one is made if absent. */
  metrics?: HttpMetrics;
}

export function createApp(config: InventoryConfig, deps: InventoryAppDeps) {
  const { db, redis, logger, metrics } = deps;
  return new Elysia()
    .use(
      httpKernel({
        service: "inventory",
        logger,
        metrics,
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
        eventsStream: config.EVENTS_STREAM,
        defaultCurrency: config.DEFAULT_CURRENCY,
        defaultLowStockThreshold: config.DEFAULT_LOW_STOCK_THRESHOLD,
      }),
    );
}
