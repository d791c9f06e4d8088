/**
 * Placing an order (ARCHITECTURE §2): validate the user, reserve every line (keyed by the order id,
 * so a retry never reserves twice), then one statement stores the order, its lines, its history,
 * the order.created outbox row, its task and (with an Idempotency-Key) the key's answer. If that
 * fails the reservation is released and the request fails; if it succeeds the reservation is
 * committed (now, or by the task worker if the inventory is away).
 *
 * With a payment provider (§13) the order is stored PENDING_PAYMENT instead: its stock stays
 * reserved for the payment window, the Commit waits for payment.succeeded, and the task is the end
 * of the window (the order cancelled and its stock released if still unpaid then). An order with
 * nothing to pay (free products) is confirmed at once all the same: no provider takes a payment of 0.
 */
import type { Principal } from "@platform/auth";
import { answerLost } from "@platform/db";
import { type OrderView, orderLines, priceLines, toOrderView } from "../domain/order.js";
import { orderCreated } from "../events/order-events.js";
import { findOrder, insertPlacedOrder, newOrder } from "../store/order.store.js";
import { commitOwed } from "../store/reservation-task.store.js";
import type { OrderDeps } from "./order-deps.js";

export interface PlaceOrderInput {
  /** The reservation id too: the same id on a retry finds the same reservation. */
  orderId: string;
  principal: Principal;
  items: Array<{ sku: string; quantity: number }>;
  requestId: string;
  /** The Idempotency-Key this request holds: its answer is stored with the order. */
  idempotencyKey?: string;
}

/** How long the task worker leaves a new (or just paid) order's Commit to whoever owes it now. */
export const COMMIT_GRACE_MS = 10_000;

/** The order, and whether the key's answer was stored with it. */
export async function placeOrder(
  deps: OrderDeps,
  input: PlaceOrderInput,
): Promise<{ order: OrderView; keyCompleted: boolean }> {
  const { db, users, inventory, tasks, relay, logger } = deps;
  const { orderId, principal, requestId, idempotencyKey } = input;
  const log = logger.child({ requestId, orderId });

  const lines = orderLines(input.items);
  const owner = await users.validate(principal.userId, requestId);
  const { required: paymentsOn, windowSeconds } = deps.payments;
  // Waiting for a payment, the stock is held for the window and then as long as any order's is
  // before its Commit: a payment in the window's last second still finds it when the Commit follows.
  const ttlSeconds = paymentsOn ? windowSeconds + deps.reservationTtlSeconds : deps.reservationTtlSeconds;
  const reservation = await inventory.reserve(orderId, lines, ttlSeconds, requestId);

  let view: OrderView;
  let payFirst = paymentsOn;
  try {
    const now = new Date();
    const priced = priceLines(reservation.lines); // a refusal (mixed currencies) releases below
    payFirst = paymentsOn && priced.totalCents > 0;
    const status = payFirst ? "PENDING_PAYMENT" : "CONFIRMED";
    const order = newOrder({ id: orderId, userId: owner.id, ...priced }, status, now);
    view = toOrderView(order);
    await insertPlacedOrder(db, {
      order,
      owner,
      requestId,
      event: orderCreated(view, owner, requestId),
      eventsStream: deps.eventsStream,
      task: payFirst
        ? { action: "expire", dueAt: new Date(now.getTime() + windowSeconds * 1000) }
        : { action: "commit", dueAt: new Date(now.getTime() + COMMIT_GRACE_MS) },
      idempotency: idempotencyKey
        ? { userId: principal.userId, key: idempotencyKey, responseBody: view }
        : undefined,
    });
  } catch (error) {
    // The order may be there after all: a retry of a request whose statement had committed, or a
    // commit whose answer was lost with the connection (Postgres restarting). A statement whose
    // answer never came (its connection went silent) may yet commit: that is not known either.
    const stored = answerLost(error)
      ? undefined
      : await findOrder(db, orderId).then(
          (found) => found ?? null,
          () => undefined,
        );
    if (stored) {
      // A stored order waiting for its payment holds its reservation for that: nothing to settle.
      if (stored.status !== "PENDING_PAYMENT") {
        await settleRetry(deps, orderId, reservation.holding, requestId);
      }
      return { order: toOrderView(stored), keyCompleted: false };
    }
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
  if (!payFirst) await tasks.commitNow(orderId, requestId);
  log.debug({ totalCents: view.totalCents, lines: view.items.length }, "order placed");
  return { order: view, keyCompleted: idempotencyKey !== undefined };
}

/**
 * A retry found the order stored already (a takeover after a crash, a commit whose answer was lost).
 * If its Commit is still owed, carry it out now. If not, and the Reserve just made holds stock, that
 * stock is surplus: the order's own reservation was settled long ago and left Redis after its
 * retention window, so the Reserve took the stock afresh. Give it back.
 */
async function settleRetry(
  deps: OrderDeps,
  orderId: string,
  holding: boolean,
  requestId: string,
): Promise<void> {
  if (await commitOwed(deps.db, orderId)) await deps.tasks.commitNow(orderId, requestId);
  else if (holding) await deps.inventory.release(orderId, requestId);
}
