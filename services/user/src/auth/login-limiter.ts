/**
 * Brute-force protection for login: failed attempts are counted per email and per client IP in
 * fixed windows in Redis; past the limit, login answers 429 RATE_LIMITED with Retry-After until the
 * window ends. A successful login clears the email's count.
 */
import { AppError } from "@platform/errors";
import type { Redis } from "ioredis";

export interface LoginLimits {
  keyPrefix: string;
  maxFailuresPerEmail: number;
  maxFailuresPerIp: number;
  windowSeconds: number;
}

export class LoginLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly limits: LoginLimits,
  ) {}

  /** Throws 429 when either the email or the IP has used up its failures. */
  async assertAllowed(email: string, ip: string): Promise<void> {
    const [emailKey, ipKey] = [this.emailKey(email), this.ipKey(ip)];
    const [emailCount, ipCount] = (await this.redis.mget(emailKey, ipKey)).map(Number);
    const blockedKey =
      (emailCount ?? 0) >= this.limits.maxFailuresPerEmail
        ? emailKey
        : (ipCount ?? 0) >= this.limits.maxFailuresPerIp
          ? ipKey
          : undefined;
    if (!blockedKey) return;
    const retryAfter = Math.max(1, await this.redis.ttl(blockedKey));
    throw new AppError(
      "RATE_LIMITED",
      "Too many failed logins; try again later.",
      {},
      { "retry-after": String(retryAfter) },
    );
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    const transaction = this.redis.multi();
    for (const key of [this.emailKey(email), this.ipKey(ip)]) {
      // The window starts with the first failure (SET NX EX) and the count runs inside it.
      transaction.set(key, 0, "EX", this.limits.windowSeconds, "NX").incr(key);
    }
    await transaction.exec();
  }

  async recordSuccess(email: string): Promise<void> {
    await this.redis.del(this.emailKey(email));
  }

  private emailKey(email: string) {
    return `${this.limits.keyPrefix}login-failures:email:${email}`;
  }

  private ipKey(ip: string) {
    return `${this.limits.keyPrefix}login-failures:ip:${ip}`;
  }
}
