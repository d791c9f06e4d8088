/**
 * The gateway process: the public edge on PORT (8080), its metrics on METRICS_PORT (8081);
 * graceful stop on SIGTERM/SIGINT.
 */
import { startVerifier } from "@platform/auth";
import { serve } from "@platform/http";
import { createLogger } from "@platform/logging";
import { createRedis, waitForRedis } from "@platform/redis";
import { startTracing } from "@platform/telemetry";
import { loadGatewayConfig } from "./config.js";
import { serveMetrics } from "./routes/metrics-server.js";
import { createGatewayRuntime } from "./runtime.js";

const config = loadGatewayConfig();
// First: what is made below (logger, Redis, database, HTTP and gRPC) takes up tracing only if it is on already.
const tracing = await startTracing({ service: "gateway", ...config });
const logger = createLogger({ service: "gateway", level: config.LOG_LEVEL });
const redis = createRedis(config.REDIS_URL, logger);
await waitForRedis(redis, logger, config.STARTUP_TIMEOUT_MS);
const { verifier, revocations } = await startVerifier(config, redis);
const runtime = createGatewayRuntime(config, { redis, verifier, revocations, logger });
const metricsServer = serveMetrics(runtime.metrics, { hostname: config.HOST, port: config.METRICS_PORT });
logger.info({ port: metricsServer.port }, "metrics on their own port");

serve(runtime.app, {
  hostname: config.HOST,
  port: config.PORT,
  logger,
  maxRequestBodySize: config.MAX_BODY_BYTES,
  closers: [
    { name: "metrics", close: () => metricsServer.stop(true) },
    { name: "revocations", close: () => revocations.close() },
    { name: "redis", close: () => redis.quit() },
    { name: "traces", close: () => tracing.shutdown() },
  ],
});
