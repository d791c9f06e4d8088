/**
 * The platform's Redis client settings. While Redis is away, a command fails at once (no offline
 * queue) instead of waiting through reconnection attempts whose delays grow: a request answers 503
 * in milliseconds, a background loop backs off and tries again. The client keeps reconnecting and
 * commands work again as soon as Redis is back.
 */
import type { Logger } from "@platform/logging";
import { Redis } from "ioredis";

export function createRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
  });
  let down = false;
  redis.on("error", (err) => {
    if (!down) logger.warn({ err: err.message }, "redis connection failed; reconnecting");
    down = true;
  });
  redis.on("ready", () => {
    if (down) logger.info("redis connection restored");
    down = false;
  });
  return redis;
}

/** Waits up to `timeoutMs` for the first connection, so start-up work finds Redis ready; never throws. */
export async function waitForRedis(redis: Redis, timeoutMs = 5_000): Promise<boolean> {
  if (redis.status === "ready") return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      redis.off("ready", onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    redis.once("ready", onReady);
  });
}
