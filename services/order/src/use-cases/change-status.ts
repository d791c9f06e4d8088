/**
 * Status changes: cancel (owner or admin, CONFIRMED or PENDING_PAYMENT → CANCELLED, stock
 * returned; the payment service refunds a paid order when it sees the event) and the admin's
 * SHIPPED / DELIVERED. The update is conditional on the status and version read, so of two racing
 * changes exactly one wins; the loser gets 409 INVALID_TRANSITION. The history line, the
 * order.status.updated outbox row and (for a cancel) the Return task share the transaction.
 */
import type { Principal } from "@platform/auth";
import { AppError, notFound } from "@platform/errors";
import type { OrderOwner } from "@platform/events";
import { insertOutboxEvent } from "@platform/outbox";
import { canSee, type Order, type OrderStatus, type OrderView, toOrderView } from "../domain/order.js";
import { assertTransition } from "../domain/order-status.js";
import { orderStatusUpdated } from "../events/order-events.js";
import { findOrder, type OrderDb, transitionOrder } from "../store/order.store.js";
import { addTask, deleteTasks, lockOrderTasks } from "../store/reservation-task.store.js";
import type { OrderDeps } from "./order-deps.js";

export async function changeStatus(
  deps: OrderDeps,
  {
    orderId,
    to,
    principal,
    requestId,
  }: { orderId: string; to: OrderStatus; principal: Principal; requestId: string },
): Promise<OrderView> {
  const { db, tasks, relay } = deps;
  // The owner as they are now, so the event honours a channel switched off or a phone changed since
  // the order was placed (outside the transaction: a call to the user service, cached; when it
  // cannot answer, the event carries what the order recorded).
  const before = await findOrder(db, orderId);
  const owner =
    before && canSee(before, principal) ? await deps.users.contact(before.userId, requestId) : undefined;
  const view = await db.transaction().execute(async (trx) => {
    // A cancel drops a Commit (or the window's end) that a worker may be carrying out: wait for it
    // first, and lock as the worker does, tasks before the order (see lockOrderTasks).
    if (to === "CANCELLED") await lockOrderTasks(trx, orderId);
    const order = await findOrder(trx, orderId);
    if (!order || !canSee(order, principal)) throw notFound("No such order.");
    const result = await recordTransition(trx, deps.eventsStream, order, to, requestId, { owner });
    if (to === "CANCELLED") {
      // A Commit still owed is owed no more: the Return gives back whatever the reservation holds.
      // (A Commit in flight holds the task's row lock; this waits for it, then Return follows it.)
      const dropped = await deleteTasks(trx, orderId, ["commit", "expire"]);
      // Confirmed and no Commit owed: it was done, and the Return may need the order's lines.
      const committed = order.status === "CONFIRMED" && !dropped.includes("commit");
      await addTask(trx, { orderId, action: "return", requestId, committed });
    }
    return result;
  });
  relay.nudge();
  if (to === "CANCELLED") await tasks.runNow({ orderId, action: "return", requestId });
  deps.logger.info({ orderId, requestId, to }, "order status changed");
  return view;
}

/**
 * One transition inside the caller's transaction: checked against the lifecycle, conditional on
 * the version read, with its history line and its order.status.updated outbox row. `owner`, when
 * given, is the owner as they are now (recorded on the order and carried by the event); otherwise
 * the event carries the owner the order recorded.
 */
export async function recordTransition(
  trx: OrderDb,
  eventsStream: string,
  order: Order,
  to: OrderStatus,
  requestId: string,
  options: { reason?: string; owner?: OrderOwner } = {},
): Promise<OrderView> {
  const result = await tryTransition(trx, eventsStream, order, to, requestId, options);
  if (!result) {
    throw new AppError("INVALID_TRANSITION", "The order changed meanwhile; read it again.", { to });
  }
  return result;
}

/**
 * recordTransition for a caller to whom losing the race is no change (a payment's outcome, the end
 * of the payment window: another change decided the order first): undefined then.
 */
export async function tryTransition(
  trx: OrderDb,
  eventsStream: string,
  order: Order,
  to: OrderStatus,
  requestId: string,
  { reason, owner }: { reason?: string; owner?: OrderOwner } = {},
): Promise<OrderView | undefined> {
  assertTransition(order.status, to);
  const moved = await transitionOrder(trx, order, to, owner);
  if (!moved) return undefined;
  const result = toOrderView(moved.order);
  await insertOutboxEvent(
    trx,
    eventsStream,
    orderStatusUpdated(
      { from: order.status, to, version: moved.order.version, ...(reason ? { reason } : {}) },
      result,
      moved.owner,
      requestId,
    ),
  );
  return result;
}
