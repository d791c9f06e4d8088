/**
 * What a payment's outcome does to its order (ARCHITECTURE §13), from the payment service's events:
 * - payment.succeeded: PENDING_PAYMENT → CONFIRMED, the end of the payment window dropped and the
 *   Commit owed (carried out at once, or by the task worker);
 * - payment.failed: PENDING_PAYMENT → CANCELLED with the reason, and the stock released (Return).
 * An order no longer PENDING_PAYMENT is left as it is: the event was applied already (a
 * redelivery), or the order was cancelled first, in which case the payment service refunds the
 * payment when it sees the cancellation. Every change shares a transaction with its history line,
 * its order.status.updated outbox row and its task, as every other transition does.
 */
import type { PlatformEvent } from "@platform/events";
import type { Order } from "../domain/order.js";
import { findOrder, type OrderDb } from "../store/order.store.js";
import { addTask, deleteTasks, lockOrderTasks } from "../store/reservation-task.store.js";
import { tryTransition } from "./change-status.js";
import type { OrderDeps } from "./order-deps.js";
import { COMMIT_GRACE_MS } from "./place-order.js";

/**
 * The order, still PENDING_PAYMENT, in a transaction that holds its tasks (the window's end, which
 * the worker may be carrying out) before it touches the order, as the worker does.
 */
async function pendingOrder(trx: OrderDb, orderId: string, paymentId: string): Promise<Order | undefined> {
  await lockOrderTasks(trx, orderId);
  const order = await findOrder(trx, orderId);
  if (!order) throw new Error(`payment ${paymentId} is for an order that does not exist`);
  return order.status === "PENDING_PAYMENT" ? order : undefined;
}

export async function applyPaymentSucceeded(
  deps: OrderDeps,
  event: PlatformEvent<"payment.succeeded">,
): Promise<void> {
  const { payment } = event.payload;
  const { requestId } = event;
  const log = deps.logger.child({ orderId: payment.orderId, paymentId: payment.id, requestId });
  // The owner as they are now (a channel switched off since the order), as a cancel or a shipment
  // records it; read before the transaction (cached). Unanswered: the event carries the order's.
  const owner = await deps.users.contact(payment.userId, requestId);
  const confirmed = await deps.db.transaction().execute(async (trx) => {
    const order = await pendingOrder(trx, payment.orderId, payment.id);
    if (!order) return false;
    if (order.totalCents !== payment.amountCents || order.currency !== payment.currency) {
      // The payment service checks amounts against the order; this is the second lock on the door.
      // The order stays unpaid: its window ends it, and the cancellation refunds the payment.
      log.error(
        { paid: payment.amountCents, currency: payment.currency, total: order.totalCents },
        "a payment does not match its order's total; the order is not confirmed",
      );
      return false;
    }
    // Lost to another change made meanwhile (the window's end, a cancel): no change.
    if (!(await tryTransition(trx, deps.eventsStream, order, "CONFIRMED", requestId, { owner })))
      return false;
    await deleteTasks(trx, order.id, ["expire"]);
    await addTask(trx, {
      orderId: order.id,
      action: "commit",
      requestId,
      dueAt: new Date(Date.now() + COMMIT_GRACE_MS),
    });
    return true;
  });
  if (!confirmed) return;
  deps.relay.nudge();
  await deps.tasks.commitNow(payment.orderId, requestId);
  log.info("order paid and confirmed");
}

export async function applyPaymentFailed(
  deps: OrderDeps,
  event: PlatformEvent<"payment.failed">,
): Promise<void> {
  const { payment, reason } = event.payload;
  const { requestId } = event;
  const owner = await deps.users.contact(payment.userId, requestId); // as above
  const cancelled = await deps.db.transaction().execute(async (trx) => {
    const order = await pendingOrder(trx, payment.orderId, payment.id);
    if (!order) return false;
    const moved = await tryTransition(trx, deps.eventsStream, order, "CANCELLED", requestId, {
      reason: `The payment failed: ${reason}`,
      owner,
    });
    if (!moved) return false;
    await deleteTasks(trx, order.id, ["expire"]);
    await addTask(trx, { orderId: order.id, action: "return", requestId });
    return true;
  });
  if (!cancelled) return;
  deps.relay.nudge();
  await deps.tasks.runNow({ orderId: payment.orderId, action: "return", requestId });
  deps.logger.info({ orderId: payment.orderId, requestId }, "order cancelled: its payment failed");
}
