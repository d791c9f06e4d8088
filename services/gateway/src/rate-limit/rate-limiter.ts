/**
 * Rate limits at the edge: a token bucket per client IP (an IPv6 client's /64) and one per user,
 * in Redis (one script, so replicas share the buckets). The IP's is taken first, by every request
 * but /health (the metrics are on a port of their own), before any token is looked at: a flood of
 * bad tokens is limited like anything else.
 * A request over a limit is 429 RATE_LIMITED with Retry-After; every answer carries
 * RateLimit-Limit / -Remaining / -Reset for the tightest bucket it used.
 * If Redis cannot be reached, or does not answer within ANSWER_WITHIN_MS, the request goes through
 * (logged): the edge stays up, and a Redis gone silent does not hold every request (and /ready,
 * past its probe's timeout) for the client's command timeout.
 */
import { AppError } from "@platform/errors";
import { limitedNetwork } from "@platform/http";
import { within } from "@platform/jobs";
import type { Logger } from "@platform/logging";
import { type LuaScript, luaScript } from "@platform/redis";
import type { Redis } from "ioredis";

/**
 * The script answers in well under a millisecond; this long without an answer, Redis is in trouble.
 * Generous, so that an edge whose event loop is busy (a flood) is not what turns limiting off.
 */
const ANSWER_WITHIN_MS = 1_000;

export interface BucketSettings {
  perMinute: number;
  burst: number;
}

/** The RateLimit-* headers of a bucket a request took a token from. */
export type RateLimitHeaders = Record<string, string>;

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

  /** Takes a token from the client's bucket (an IPv6 client's /64); throws 429 when it is empty. */
  takeForIp(ip: string): Promise<RateLimitHeaders> {
    return this.take(`rl:ip:${limitedNetwork(ip)}`, this.options.ip);
  }

  /** Takes a token from the user's bucket; throws 429 when it is empty. */
  takeForUser(userId: string): Promise<RateLimitHeaders> {
    return this.take(`rl:user:${userId}`, this.options.user);
  }

  private async take(key: string, { perMinute, burst }: BucketSettings): Promise<RateLimitHeaders> {
    let reply: [number, number, number, number];
    try {
      reply = await within(
        this.takeToken(`${this.options.keyPrefix}${key}`, burst, perMinute / 60),
        ANSWER_WITHIN_MS,
        () => new Error(`no answer from Redis within ${ANSWER_WITHIN_MS} ms`),
      );
    } catch (err) {
      this.options.logger.warn({ err }, "rate limiter unavailable; letting the request through");
      return {};
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
    return {
      "ratelimit-limit": String(burst),
      "ratelimit-remaining": String(remaining),
      "ratelimit-reset": String(Math.ceil(resetMs / 1000)),
    };
  }
}

/** The headers of the tighter of two buckets (fewer tokens left). */
export function tighter(a: RateLimitHeaders, b: RateLimitHeaders): RateLimitHeaders {
  const left = (headers: RateLimitHeaders) =>
    Number(headers["ratelimit-remaining"] ?? Number.POSITIVE_INFINITY);
  return left(b) < left(a) ? b : a;
}
