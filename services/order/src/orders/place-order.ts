/**
 * Placing an order (ARCHITECTURE §2): validate the user, reserve every line (keyed by the order id,
 * so a retry never reserves twice), then one transaction for the order, its lines, its history,
 * the order.created outbox row and the Commit task. If the transaction fails the reservation is
 * released and the request fails; if it succeeds the reservation is committed (now, or by the task
 * worker if the inventory is away).
 */
import type { Principal } from "@platform/auth";
import { insertOutboxEvent } from "@platform/outbox";
import { type OrderView, priceLines, toOrderView } from "../domain/order.js";
import { orderCreated } from "../events/order-events.js";
import { findOrder, insertOrder } from "../store/order.store.js";
import { addTask } from "../store/reservation-task.store.js";
import type { OrderDeps } from "./order-deps.js";

export interface PlaceOrderInput {
  /** The reservation id too: the same id on a retry finds the same reservation. */
  orderId: string;
  principal: Principal;
  items: Array<{ sku: string; quantity: number }>;
  requestId: string;
}

export async function placeOrder(deps: OrderDeps, input: PlaceOrderInput): Promise<OrderView> {
  const { db, users, inventory, tasks, relay, logger } = deps;
  const { orderId, principal, requestId } = input;
  const log = logger.child({ requestId, orderId });

  const owner = await users.validate(principal.userId, requestId);
  const reserved = await inventory.reserve(orderId, input.items, deps.reservationTtlSeconds, requestId);

  let order: OrderView;
  try {
    const priced = priceLines(reserved);
    order = await db.transaction().execute(async (trx) => {
      const view = toOrderView(
        await insertOrder(trx, { id: orderId, userId: owner.id, ...priced }, owner, requestId),
      );
      await insertOutboxEvent(trx, deps.eventsStream, orderCreated(view, owner, requestId));
      await addTask(trx, { orderId, action: "commit", requestId });
      return view;
    });
  } catch (error) {
    // The order may be there after all: a retry of a request whose transaction had committed, or a
    // commit whose answer was lost with the connection (Postgres restarting).
    const stored = await findOrder(db, orderId).then(
      (found) => found ?? null,
      () => undefined,
    );
    if (stored) return toOrderView(stored);
    if (stored === undefined) {
      // Unknown (Postgres is away): the reservation stays for a retry with this order id, or expires.
      log.warn({ err: error }, "cannot tell whether the order was stored; keeping its reservation");
      throw error;
    }
    // Compensation: nothing was stored, so nothing may stay reserved.
    await inventory.release(orderId, requestId).catch((err) => {
      log.error({ err }, "could not release the reservation after a failed order; it will expire");
    });
    throw error;
  }
  relay.nudge();
  await tasks.runNow({ orderId, action: "commit", requestId });
  log.info({ totalCents: order.totalCents, lines: order.items.length }, "order placed");
  return order;
}
