/** The gateway process: the public edge on PORT (8080); graceful stop on SIGTERM/SIGINT. */
import { verifierFromConfig } from "@platform/auth";
import { serve } from "@platform/http";
import { createLogger } from "@platform/logging";
import { createRedis, waitForRedis } from "@platform/redis";
import { createApp } from "./app.js";
import { loadGatewayConfig } from "./config.js";
import { RateLimiter } from "./rate-limit/rate-limiter.js";

const config = loadGatewayConfig();
const logger = createLogger({ service: "gateway", level: config.LOG_LEVEL });
const redis = createRedis(config.REDIS_URL, logger);
await waitForRedis(redis, logger, config.STARTUP_TIMEOUT_MS);
const verifier = verifierFromConfig(config);
const limiter = new RateLimiter(redis, {
  keyPrefix: config.RATE_LIMIT_KEY_PREFIX,
  ip: { perMinute: config.RATE_LIMIT_IP_PER_MINUTE, burst: config.RATE_LIMIT_IP_BURST },
  user: { perMinute: config.RATE_LIMIT_USER_PER_MINUTE, burst: config.RATE_LIMIT_USER_BURST },
  logger,
});

serve(createApp(config, { redis, verifier, limiter, logger }), {
  port: config.PORT,
  logger,
  maxRequestBodySize: config.MAX_BODY_BYTES,
  closers: [{ name: "redis", close: () => redis.quit() }],
});
