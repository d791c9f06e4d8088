/** The events the order service publishes (past tense, versioned payloads). */
import { type DomainEvent, newEvent } from "@platform/events";
import type { OrderOwner } from "../clients/user-client.js";
import type { OrderStatus, OrderView } from "../domain/order.js";

/** order.created v1: the whole order and its owner, so consumers need no call back. */
export const orderCreated = (order: OrderView, user: OrderOwner, requestId: string): DomainEvent =>
  newEvent("order.created", { order, user }, { requestId });

/**
 * order.status.updated v1: the change and the order's version after it (a consumer that has seen
 * a higher version ignores this one), with the order as it now is and its owner; `reason` when the
 * platform made the change itself (an order cancelled because its stock was gone).
 */
export const orderStatusUpdated = (
  change: { from: OrderStatus; to: OrderStatus; version: number; reason?: string },
  order: OrderView,
  user: OrderOwner,
  requestId: string,
): DomainEvent =>
  newEvent(
    "order.status.updated",
    { orderId: order.id, userId: order.userId, ...change, order, user },
    { requestId },
  );
