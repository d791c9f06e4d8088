/**
 * Status changes: cancel (owner or admin, CONFIRMED → CANCELLED, stock returned) and the admin's
 * SHIPPED / DELIVERED. The update is conditional on the status and version read, so of two racing
 * changes exactly one wins; the loser gets 409 INVALID_TRANSITION. The history line, the
 * order.status.updated outbox row and (for a cancel) the Return task share the transaction.
 */
import type { Principal } from "@platform/auth";
import { AppError, notFound } from "@platform/http";
import { canSee, type OrderStatus, type OrderView, toOrderView } from "../domain/order.js";
import { assertTransition } from "../domain/order-status.js";
import { orderStatusUpdated } from "../events/order-events.js";
import { findOrder, transitionOrder } from "../store/order.store.js";
import { insertOutboxEvent } from "../store/outbox.store.js";
import { addTask } from "../store/reservation-task.store.js";
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
  const view = await db.transaction().execute(async (trx) => {
    const order = await findOrder(trx, orderId);
    if (!order || !canSee(order, principal)) throw notFound("No such order.");
    assertTransition(order.status, to);
    const moved = await transitionOrder(trx, order, to);
    if (!moved) {
      throw new AppError(409, "INVALID_TRANSITION", "The order changed meanwhile; read it again.", { to });
    }
    const result = toOrderView(moved.order);
    await insertOutboxEvent(
      trx,
      deps.eventsStream,
      orderStatusUpdated(
        { from: order.status, to, version: moved.order.version },
        result,
        moved.owner,
        requestId,
      ),
    );
    if (to === "CANCELLED") await addTask(trx, { orderId, action: "return", requestId });
    return result;
  });
  relay.nudge();
  if (to === "CANCELLED") await tasks.runNow({ orderId, action: "return", requestId });
  deps.logger.info({ orderId, requestId, to }, "order status changed");
  return view;
}
