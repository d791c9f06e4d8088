/**
 * Brute-force protection for login: attempts are counted per email and per client IP in fixed
 * windows in Redis. An attempt is taken (atomically, one script) before the password is checked,
 * so twenty concurrent guesses against a limit of ten get ten checks and ten 429s, not twenty
 * checks. A successful login gives its attempt back: the email's count is cleared, the IP's is
 * decremented, so only failures use up the limits. An attempt whose password could not be checked (a
 * dependency away: the answer is a 503) is given back too, so an outage locks nobody out.
 */
import { AppError, isDependencyFailure } from "@platform/errors";
import { limitedNetwork } from "@platform/http";
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
  private async takeAttempt(email: string, ip: string): Promise<void> {
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

  /**
   * Takes an attempt for `check` (what reads and verifies the password) and answers what it does;
   * a check that could not be made (a dependency failure) does not count.
   */
  async attempt<T>(email: string, ip: string, check: () => Promise<T>): Promise<T> {
    await this.takeAttempt(email, ip);
    try {
      return await check();
    } catch (error) {
      if (isDependencyFailure(error)) {
        await this.giveBackScript(this.emailKey(email), this.ipKey(ip), "unchecked").catch(() => {});
      }
      throw error;
    }
  }

  /** The attempt succeeded: it does not count against the email or the IP. */
  async giveBack(email: string, ip: string): Promise<void> {
    await this.giveBackScript(this.emailKey(email), this.ipKey(ip), "succeeded");
  }

  private emailKey(email: string) {
    return `${this.limits.keyPrefix}login-attempts:email:${email}`;
  }

  private ipKey(ip: string) {
    // An IPv6 client by its /64: it may take any address in it.
    return `${this.limits.keyPrefix}login-attempts:ip:${limitedNetwork(ip)}`;
  }
}
