/**
 * The `order` consumer group on the payments stream (only with a payment provider): a payment's
 * outcome confirms or cancels its order (use-cases/settle-payment.ts). Redeliveries change nothing:
 * an order that is no longer PENDING_PAYMENT is left alone.
 */
import {
  ConsumerGroup,
  type ConsumerGroupSettings,
  dispatchEvent,
  type EventHandlers,
} from "@platform/events";
import type { OrderDeps } from "../use-cases/order-deps.js";
import { applyPaymentFailed, applyPaymentSucceeded } from "../use-cases/settle-payment.js";

export function paymentConsumer(deps: OrderDeps, settings: ConsumerGroupSettings): ConsumerGroup {
  const handlers: EventHandlers<Promise<void>> = {
    "payment.succeeded": (event) => applyPaymentSucceeded(deps, event),
    "payment.failed": (event) => applyPaymentFailed(deps, event),
    "payment.refunded": "ignore",
    "order.created": "ignore",
    "order.status.updated": "ignore",
    "product.created": "ignore",
    "product.updated": "ignore",
    "product.archived": "ignore",
    "stock.low": "ignore",
    "stock.replenished": "ignore",
  };
  return new ConsumerGroup({
    ...settings,
    handler: async (event) => {
      await dispatchEvent(handlers, event);
    },
  });
}
