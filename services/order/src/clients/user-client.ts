/**
 * Validates order owners against the user service (GET /internal/users/{id}) with a short timeout.
 * Positive answers are cached for USER_CACHE_TTL_MS (30 s): an active user (with their contact
 * details and channel preferences) stays valid that long, which spares the user service one call
 * per order; negative answers are never cached.
 */

import { AppError, dependencyUnavailable } from "@platform/errors";
import type { OrderOwner } from "@platform/events";
import { REQUEST_ID_HEADER } from "@platform/http";
import type { Logger } from "@platform/logging";
import { tracedFetch } from "@platform/telemetry";
import { LRUCache } from "lru-cache";

export interface UserClientOptions {
  baseUrl: string;
  timeoutMs: number;
  cacheTtlMs: number;
  logger: Logger;
}

export class UserClient {
  private readonly cache: LRUCache<string, OrderOwner>;

  constructor(private readonly options: UserClientOptions) {
    this.cache = new LRUCache({ max: 10_000, ttl: options.cacheTtlMs });
  }

  /** The active user behind an order, or a 403 (unknown or inactive), or a 503 (user service down). */
  async validate(userId: string, requestId: string): Promise<OrderOwner> {
    const { owner, active } = await this.lookUp(userId, requestId);
    if (!active) throw new AppError("FORBIDDEN", "The account is not active.");
    return owner;
  }

  /**
   * An order owner's contact details and channel preferences as they are now (active or not), for a
   * later event of their order; undefined when the user service cannot say (the caller keeps what
   * the order recorded).
   */
  async contact(userId: string, requestId: string): Promise<OrderOwner | undefined> {
    try {
      return (await this.lookUp(userId, requestId)).owner;
    } catch {
      return undefined;
    }
  }

  private async lookUp(userId: string, requestId: string): Promise<{ owner: OrderOwner; active: boolean }> {
    const cached = this.cache.get(userId);
    if (cached) return { owner: cached, active: true };
    let response: Response;
    try {
      const url = `${this.options.baseUrl}/internal/users/${encodeURIComponent(userId)}`;
      response = await tracedFetch("validate user", url, {
        headers: { [REQUEST_ID_HEADER]: requestId },
        // Bun pools keep-alive sockets; a half-open one could stall the call without a timeout.
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (err) {
      this.options.logger.warn({ err, requestId }, "user service call failed");
      throw dependencyUnavailable("user service");
    }
    if (response.status === 404) throw new AppError("FORBIDDEN", "The account does not exist.");
    if (!response.ok) {
      this.options.logger.warn({ status: response.status, requestId }, "user service answered an error");
      throw dependencyUnavailable("user service");
    }
    // notificationPreferences may be missing from an older user service (a rolling deploy).
    const user = (await response.json()) as OrderOwner & { active: boolean };
    const owner: OrderOwner = {
      id: user.id,
      email: user.email,
      name: user.name,
      ...(user.phone ? { phone: user.phone } : {}),
      ...(user.notificationPreferences ? { notificationPreferences: user.notificationPreferences } : {}),
    };
    // USER_CACHE_TTL_MS=0 caches nothing (lru-cache would read a ttl of 0 as "for ever").
    if (user.active && this.options.cacheTtlMs > 0) this.cache.set(userId, owner);
    return { owner, active: user.active };
  }
}
