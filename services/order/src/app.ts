/** Builds the order service's REST app from its config and dependencies; never listens. */
import type { TokenVerifier } from "@platform/auth";
import { pingDatabase } from "@platform/db";
import { type HttpMetrics, httpKernel } from "@platform/http";
import { Elysia } from "elysia";
import type { Redis } from "ioredis";
import type { Kysely } from "kysely";
import type { OrderConfig } from "./config.js";
import { internalRoutes } from "./routes/internal.js";
import { ordersRoutes } from "./routes/orders.js";
import type { OrderDeps } from "./use-cases/order-deps.js";
import type { PlacementMetrics } from "./use-cases/placement-metrics.js";

export interface OrderAppDeps extends OrderDeps {
  redis: Redis;
  verifier: TokenVerifier;
  /** The registry /metrics serves (the runtime's, with the order metrics); one is made if absent. */
  metrics?: HttpMetrics;
  placements: PlacementMetrics;
}

export function createApp(config: OrderConfig, deps: OrderAppDeps) {
  return new Elysia()
    .use(
      httpKernel({
        service: "order",
        logger: deps.logger,
        metrics: deps.metrics,
        description: "Orders: placement saga, status lifecycle, transactional outbox.",
        maxBodyBytes: config.MAX_BODY_BYTES,
        readiness: {
          postgres: () => pingDatabase(deps.db as Kysely<unknown>),
          redis: () => deps.redis.ping(),
          inventory: async () => {
            if (deps.inventory.breakerOpen) throw new Error("inventory circuit breaker is open");
          },
        },
      }),
    )
    .use(internalRoutes({ db: deps.db }))
    .use(
      ordersRoutes({
        ...deps,
        idempotency: { leaseMs: config.IDEMPOTENCY_LEASE_MS, waitMs: config.IDEMPOTENCY_WAIT_MS },
      }),
    );
}
