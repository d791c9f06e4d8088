/**
 * The platform's Redis client settings. While Redis is away, a command fails at once (no offline
 * queue) instead of waiting through reconnection attempts whose delays grow: a request answers 503
 * in milliseconds, a background loop backs off and tries again. The client keeps reconnecting and
 * commands work again as soon as Redis is back.
 */
import { waitForDependency } from "@platform/jobs";
import type { Logger } from "@platform/logging";
import { Redis } from "ioredis";

export function createRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    // A connection that died without a word (no FIN, no RST) would otherwise hold a command forever.
    commandTimeout: 5_000,
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

/**
 * Start-up: waits (bounded, logged) until Redis answers, so the work that follows finds it; throws
 * when it does not come up within `timeoutMs`.
 */
export async function waitForRedis(redis: Redis, logger: Logger, timeoutMs: number): Promise<void> {
  await connected(redis, 2_000);
  await waitForDependency("redis", () => redis.ping(), { logger, timeoutMs });
}

/** Resolves once the client is ready or after `ms` (commands fail fast until then: no offline queue). */
export function connected(redis: Redis, ms: number): Promise<void> {
  if (redis.status === "ready") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off("ready", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once("ready", done);
  });
}

export { type LuaScript, luaScript } from "./lua-script.js";
