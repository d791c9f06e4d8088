/**
 * What a payment is owed, from the order service (GET /internal/orders/{id}/billing): the order's
 * status, total and currency, and its owner as the order recorded them. Never cached: a payment
 * must see a cancellation made a moment ago.
 */
import { dependencyUnavailable } from "@platform/errors";
import type { OrderOwner, OrderStatus } from "@platform/events";
import { REQUEST_ID_HEADER } from "@platform/http";
import type { Logger } from "@platform/logging";
import { tracedFetch } from "@platform/telemetry";

export interface OrderBilling {
  orderId: string;
  status: OrderStatus;
  totalCents: number;
  currency: string;
  owner: OrderOwner;
}

export class OrderClient {
  constructor(private readonly options: { baseUrl: string; timeoutMs: number; logger: Logger }) {}

  /** The order's billing, undefined when there is no such order, a 503 when the order service cannot say. */
  async billing(orderId: string, requestId: string): Promise<OrderBilling | undefined> {
    let response: Response;
    try {
      response = await tracedFetch(
        "order billing",
        `${this.options.baseUrl}/internal/orders/${encodeURIComponent(orderId)}/billing`,
        {
          headers: { [REQUEST_ID_HEADER]: requestId },
          signal: AbortSignal.timeout(this.options.timeoutMs),
        },
      );
    } catch (err) {
      this.options.logger.warn({ err, requestId }, "order service call failed");
      throw dependencyUnavailable("order service");
    }
    if (response.status === 404) return undefined;
    if (!response.ok) {
      this.options.logger.warn({ status: response.status, requestId }, "order service answered an error");
      throw dependencyUnavailable("order service");
    }
    return (await response.json()) as OrderBilling;
  }
}
