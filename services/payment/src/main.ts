/** The payment service process: REST API, webhooks, outbox relay, cancellation consumer, refund job; graceful stop on signal. */
import { startVerifier } from "@platform/auth";
import { openServiceDatabase } from "@platform/db";
import { serve } from "@platform/http";
import { createLogger } from "@platform/logging";
import { createRedis, waitForRedis } from "@platform/redis";
import { startTracing } from "@platform/telemetry";
import { loadPaymentConfig } from "./config.js";
import { createPaymentRuntime } from "./runtime.js";
import { migrations } from "./store/migrations/index.js";
import type { PaymentDatabase } from "./store/payment.table.js";

const config = loadPaymentConfig();
// First: what is made below (logger, Redis, database, HTTP) takes up tracing only if it is on already.
const tracing = await startTracing({ service: "payment", ...config });
const logger = createLogger({ service: "payment", level: config.LOG_LEVEL });
const db = await openServiceDatabase<PaymentDatabase>("payment", config, migrations, logger);
const redis = createRedis(config.REDIS_URL, logger);
await waitForRedis(redis, logger, config.STARTUP_TIMEOUT_MS);
const { verifier, revocations } = await startVerifier(config, redis);
const runtime = createPaymentRuntime(config, { db, redis, verifier, logger });
await runtime.start();
logger.info({ provider: config.PAYMENT_PROVIDER }, "payment provider");

serve(runtime.app, {
  hostname: config.HOST,
  port: config.PORT,
  logger,
  maxRequestBodySize: config.MAX_BODY_BYTES,
  closers: [
    { name: "background work", close: () => runtime.stop() },
    { name: "revocations", close: () => revocations.close() },
    { name: "redis", close: () => redis.quit() },
    { name: "postgres", close: () => db.destroy() },
    { name: "traces", close: () => tracing.shutdown() },
  ],
});
