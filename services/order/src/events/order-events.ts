/** The events the order service publishes; their payloads are the contracts in @platform/events. */
import { createEvent, type OrderOwner, type OrderStatus, type OrderView } from "@platform/events";

/** order.created: the whole order and its owner, so consumers need no call back. */
export const orderCreated = (order: OrderView, user: OrderOwner, requestId: string) =>
  createEvent("order.created", { order, user }, { requestId });

/** order.status.updated: the change, the order's version after it, the order as it now is, its owner. */
export const orderStatusUpdated = (
  change: { from: OrderStatus; to: OrderStatus; version: number; reason?: string },
  order: OrderView,
  user: OrderOwner,
  requestId: string,
) =>
  createEvent(
    "order.status.updated",
    { orderId: order.id, userId: order.userId, ...change, order, user },
    { requestId },
  );
