/**
 * The gateway wired from its config, for main.ts and the tests alike: the rate limiter (buckets in
 * Redis), the metrics (served on a port of their own by main.ts) and the edge app. The gateway has
 * no background work.
 */
import type { RevocationList, TokenVerifier } from "@platform/auth";
import { createMetrics } from "@platform/http";
import type { Logger } from "@platform/logging";
import type { Redis } from "ioredis";
import { createApp } from "./app.js";
import type { GatewayConfig } from "./config.js";
import { RateLimiter } from "./rate-limit/rate-limiter.js";

export interface GatewayConnections {
  redis: Redis;
  verifier: TokenVerifier;
  /** Revocations close the WebSockets of revoked sessions and users. */
  revocations?: RevocationList;
  logger: Logger;
}

export function createGatewayRuntime(
  config: GatewayConfig,
  { redis, verifier, revocations, logger }: GatewayConnections,
) {
  const limiter = new RateLimiter(redis, {
    keyPrefix: config.RATE_LIMIT_KEY_PREFIX,
    ip: { perMinute: config.RATE_LIMIT_IP_PER_MINUTE, burst: config.RATE_LIMIT_IP_BURST },
    user: { perMinute: config.RATE_LIMIT_USER_PER_MINUTE, burst: config.RATE_LIMIT_USER_BURST },
    logger,
  });
  const metrics = createMetrics("gateway");
  const app = createApp(config, { redis, verifier, revocations, limiter, metrics, logger });
  return { limiter, metrics, app };
}

export type GatewayRuntime = ReturnType<typeof createGatewayRuntime>;
