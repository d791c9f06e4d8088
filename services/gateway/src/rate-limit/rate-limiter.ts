/**
 * Rate limits at the edge: a token bucket per client IP and one per user, in Redis (one script,
 * so replicas share the buckets). A request over a limit is 429 RATE_LIMITED with Retry-After;
 * every answer carries RateLimit-Limit / -Remaining / -Reset for the tightest bucket it used.
 * If Redis cannot be reached the request goes through (logged): the edge stays up.
 */
import { AppError } from "@platform/errors";
import type { Logger } from "@platform/logging";
import { type LuaScript, luaScript } from "@platform/redis";
import type { Redis } from "ioredis";

export interface BucketSettings {
  perMinute: number;
  burst: number;
}

export interface RateLimitVerdict {
  headers: Record<string, string>;
}

export interface RateLimiterOptions {
  keyPrefix: string;
  ip: BucketSettings;
  user: BucketSettings;
  logger: Logger;
}

export class RateLimiter {
  private readonly takeToken: LuaScript<[number, number, number, number]>;

  constructor(
    redis: Redis,
    private readonly options: RateLimiterOptions,
  ) {
    this.takeToken = luaScript(redis, new URL("./take-token-1.lua", import.meta.url));
  }

  /** Takes a token from the IP's bucket and (when known) the user's; throws 429 when one is empty. */
  async check(ip: string, userId: string | undefined): Promise<RateLimitVerdict> {
    const { keyPrefix, logger } = this.options;
    const buckets: Array<[string, BucketSettings]> = [[`${keyPrefix}rl:ip:${ip}`, this.options.ip]];
    if (userId) buckets.push([`${keyPrefix}rl:user:${userId}`, this.options.user]);
    let tightest: { limit: number; remaining: number; resetMs: number } | undefined;
    for (const [key, { perMinute, burst }] of buckets) {
      let reply: [number, number, number, number];
      try {
        reply = await this.takeToken(key, burst, perMinute / 60);
      } catch (err) {
        logger.warn({ err }, "rate limiter unavailable; letting the request through");
        return { headers: {} };
      }
      const [allowed, remaining, retryMs, resetMs] = reply;
      if (!allowed) {
        const retryAfter = String(Math.max(1, Math.ceil(retryMs / 1000)));
        throw new AppError(
          "RATE_LIMITED",
          "Too many requests; slow down.",
          {},
          {
            "retry-after": retryAfter,
            "ratelimit-limit": String(burst),
            "ratelimit-remaining": "0",
            "ratelimit-reset": retryAfter,
          },
        );
      }
      if (!tightest || remaining < tightest.remaining) tightest = { limit: burst, remaining, resetMs };
    }
    return {
      headers: tightest
        ? {
            "ratelimit-limit": String(tightest.limit),
            "ratelimit-remaining": String(tightest.remaining),
            "ratelimit-reset": String(Math.ceil(tightest.resetMs / 1000)),
          }
        : {},
    };
  }
}
