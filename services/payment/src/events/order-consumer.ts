/**
 * The `payment` consumer group on the orders stream: a cancelled order's payment is called off, or
 * refunded when it was paid (use-cases/order-cancelled.ts). Every other event is ignored here.
 */
import {
  ConsumerGroup,
  type ConsumerGroupSettings,
  dispatchEvent,
  type EventHandlers,
} from "@platform/events";
import { orderCancelled } from "../use-cases/order-cancelled.js";
import type { PaymentDeps } from "../use-cases/payment-deps.js";

export function orderConsumer(deps: PaymentDeps, settings: ConsumerGroupSettings): ConsumerGroup {
  const handlers: EventHandlers<Promise<void>> = {
    "order.status.updated": async (event) => {
      if (event.payload.to === "CANCELLED") await orderCancelled(deps, event);
    },
    "order.created": "ignore",
    "payment.succeeded": "ignore",
    "payment.failed": "ignore",
    "payment.refunded": "ignore",
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
