/** Builds the payment service's REST app from its config and dependencies; never listens. */
import type { TokenVerifier } from "@platform/auth";
import { pingDatabase } from "@platform/db";
import { type HttpMetrics, httpKernel } from "@platform/http";
import { Elysia } from "elysia";
import type { Redis } from "ioredis";
import type { Kysely } from "kysely";
import type { PaymentConfig } from "./config.js";
import { checkoutRoutes } from "./routes/checkout.js";
import { paymentRoutes } from "./routes/payments.js";
import { sandboxRoutes } from "./routes/sandbox.js";
import { webhookRoutes } from "./routes/webhooks.js";
import type { PaymentDeps } from "./use-cases/payment-deps.js";

export interface PaymentAppDeps extends PaymentDeps {
  redis: Redis;
  verifier: TokenVerifier;
  metrics?: HttpMetrics;
}

export function createApp(config: PaymentConfig, deps: PaymentAppDeps) {
  return new Elysia()
    .use(
      httpKernel({
        service: "payment",
        logger: deps.logger,
        metrics: deps.metrics,
        description: `Payments (provider: ${config.PAYMENT_PROVIDER}): payment intents, signed webhooks, refunds.`,
        maxBodyBytes: config.MAX_BODY_BYTES,
        readiness: {
          postgres: () => pingDatabase(deps.db as Kysely<unknown>),
          redis: () => deps.redis.ping(),
        },
      }),
    )
    .use(webhookRoutes(deps))
    .use(checkoutRoutes(deps))
    .use(sandboxRoutes(deps))
    .use(paymentRoutes(deps));
}
