/**
 * The payment service wired from its config, for main.ts and the tests alike: the provider (none,
 * sandbox or stripe), the order client, the outbox relay (events:payments), the `payment` group on
 * the orders stream (cancellations), the refund job, the REST app and its /metrics. Nothing starts
 * here; start() and stop() run and end the background work.
 */
import type { TokenVerifier } from "@platform/auth";
import { groupSettings, outboxRelaySettings } from "@platform/config";
import { ConsumerMetrics } from "@platform/events";
import { createMetrics, type HttpMetrics } from "@platform/http";
import type { Logger } from "@platform/logging";
import { OutboxRelay, outboxBacklogGauge } from "@platform/outbox";
import type { Redis } from "ioredis";
import { createApp } from "./app.js";
import { OrderClient } from "./clients/order-client.js";
import type { PaymentConfig } from "./config.js";
import { orderConsumer } from "./events/order-consumer.js";
import type { PaymentProvider } from "./providers/provider.js";
import { SandboxProvider } from "./providers/sandbox.js";
import { StripeProvider } from "./providers/stripe.js";
import type { PaymentDb } from "./store/payment.store.js";
import type { PaymentDeps } from "./use-cases/payment-deps.js";
import { refundJob } from "./use-cases/refund-job.js";

export interface PaymentConnections {
  db: PaymentDb;
  redis: Redis;
  verifier: TokenVerifier;
  logger: Logger;
  metrics?: HttpMetrics;
}

/** The provider the configuration names; undefined for `none`. */
export function paymentProvider(config: PaymentConfig): PaymentProvider | undefined {
  const secret = config.PAYMENT_WEBHOOK_SECRET ?? "";
  switch (config.PAYMENT_PROVIDER) {
    case "none":
      return undefined;
    case "sandbox":
      return new SandboxProvider(secret);
    case "stripe":
      return new StripeProvider(config.STRIPE_SECRET_KEY ?? "", secret, config.STRIPE_API_URL);
  }
}

export function createPaymentRuntime(config: PaymentConfig, connections: PaymentConnections) {
  const { db, redis, verifier, logger } = connections;
  const metrics = connections.metrics ?? createMetrics("payment");
  outboxBacklogGauge(metrics.registry, db);
  const relay = new OutboxRelay({
    name: "payment outbox relay",
    db,
    redis,
    logger: logger.child({ component: "outbox-relay" }),
    ...outboxRelaySettings(config),
  });
  const deps: PaymentDeps = {
    db,
    provider: paymentProvider(config),
    orders: new OrderClient({
      baseUrl: config.ORDER_SERVICE_URL,
      timeoutMs: config.ORDER_TIMEOUT_MS,
      logger,
    }),
    relay,
    eventsStream: config.EVENTS_STREAM,
    maxAttempts: config.PAYMENT_MAX_ATTEMPTS,
    logger,
  };
  // Without a provider no payment exists, so no cancellation concerns one: nothing to read.
  const cancellations = deps.provider
    ? orderConsumer(deps, {
        ...groupSettings(config, [config.ORDERS_STREAM]),
        redis,
        logger: logger.child({ component: "order-consumer" }),
        metrics: new ConsumerMetrics(metrics.registry),
      })
    : undefined;
  const refunds = refundJob(
    { ...deps, logger: logger.child({ component: "refunds" }) },
    { intervalMs: config.REFUND_RETRY_MS },
  );
  const app = createApp(config, { ...deps, redis, verifier, metrics });
  return {
    ...deps,
    metrics,
    app,
    cancellations,
    async start() {
      relay.start();
      if (deps.provider) refunds.start();
      await cancellations?.start();
    },
    /** Lets the passes and the event in hand finish. */
    async stop() {
      await Promise.all([relay.stop(), refunds.stop(), cancellations?.stop()]);
    },
  };
}

export type PaymentRuntime = ReturnType<typeof createPaymentRuntime>;
