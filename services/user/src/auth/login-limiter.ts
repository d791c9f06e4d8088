/**
 * Brute-force protection for login: attempts are counted per email and per client IP in fixed
 * windows in Redis. An attempt is taken (atomically, one script) before the password is checked,
 * so twenty concurrent guesses against a limit of ten get ten checks and ten 429s, not twenty
 * checks. A successful login gives its attempt back: the email's count is cleared, the IP's is
 * decremented, so only failures use up the limits.
 */
import { AppError } from "@platform/errors";
import { type LuaScript, luaScript } from "@platform/redis";
import type { Redis } from "ioredis";

export interface LoginLimits {
  keyPrefix: string;
  maxFailuresPerEmail: number;
  maxFailuresPerIp: number;
  windowSeconds: number;
}

export class LoginLimiter {
  private readonly takeAttemptScript: LuaScript<[number, number]>;
  private readonly giveBackScript: LuaScript<number>;

  constructor(
    redis: Redis,
    private readonly limits: LoginLimits,
  ) {
    this.takeAttemptScript = luaScript(redis, new URL("./take-attempt-2.lua", import.meta.url));
    this.giveBackScript = luaScript(redis, new URL("./give-back-attempt-2.lua", import.meta.url));
  }

  /** Counts an attempt; throws 429 RATE_LIMITED with Retry-After when the email or the IP has none left. */
  async takeAttempt(email: string, ip: string): Promise<void> {
    const { maxFailuresPerEmail, maxFailuresPerIp, windowSeconds } = this.limits;
    const [allowed, retryAfter] = await this.takeAttemptScript(
      this.emailKey(email),
      this.ipKey(ip),
      maxFailuresPerEmail,
      maxFailuresPerIp,
      windowSeconds,
    );
    if (allowed) return;
    throw new AppError(
      "RATE_LIMITED",
      "Too many failed logins; try again later.",
      {},
      { "retry-after": String(retryAfter) },
    );
  }

  /** The attempt succeeded: it does not count against the email or the IP. */
  async giveBack(email: string, ip: string): Promise<void> {
    await this.giveBackScript(this.emailKey(email), this.ipKey(ip));
  }

  private emailKey(email: string) {
    return `${this.limits.keyPrefix}login-attempts:email:${email}`;
  }

  private ipKey(ip: string) {
    return `${this.limits.keyPrefix}login-attempts:ip:${ip}`;
  }
}
