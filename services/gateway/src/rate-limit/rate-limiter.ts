/**
 * Rate limits at the edge: a token bucket per client IP and one per user, in Redis (one script,
 * so replicas share the buckets). A request over a limit is 429 RATE_LIMITED with Retry-After;
 * every answer carries RateLimit-Limit / -Remaining / -Reset for the tightest bucket it used.
 * If Redis cannot be reached the request goes through (logged): the edge stays up.
 */
import { AppError } from "@platform/http";
import type { Logger } from "@platform/logging";
import type { Redis } from "ioredis";

export interface BucketSettings {
  perMinute: number;
  burst: number;
}

export interface RateLimitVerdict {
  headers: Record<string, string>;
}

type TakeToken = (
  key: string,
  capacity: number,
  perSecond: number,
) => Promise<[number, number, number, number]>;

export class RateLimiter {
  private readonly takeToken: TakeToken;

  private constructor(
    redis: Redis,
    private readonly options: { keyPrefix: string; ip: BucketSettings; user: BucketSettings; logger: Logger },
    lua: string,
  ) {
    if (!("gateway_take_token" in redis)) redis.defineCommand("gateway_take_token", { numberOfKeys: 1, lua });
    const command = (redis as unknown as Record<string, TakeToken>).gateway_take_token;
    if (!command) throw new Error("the rate-limit script was not defined");
    this.takeToken = command.bind(redis);
  }

  static async create(redis: Redis, options: RateLimiter["options"]): Promise<RateLimiter> {
    const lua = await Bun.file(new URL("take-token-1.lua", import.meta.url)).text();
    return new RateLimiter(redis, options, lua);
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
          429,
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
