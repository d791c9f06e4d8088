/**
 * An order was cancelled (order.status.updated → CANCELLED: by its owner, an admin, a failed
 * payment or the end of its payment window). Its payment follows: not paid (open, or failed: a
 * declined Stripe payment intent still takes another card), it is called off with the provider
 * (owed in this transaction: call-off.ts); paid, it is refunded in full. The payment remembers that its order is gone, so money
 * that arrives later goes back too. An order nobody started paying gets a CANCELLED stand-in under
 * its id, so a payment started a moment later finds the order gone rather than taking money for it.
 * A redelivery finds the payment remembered already.
 */
import type { OrderOwner, PlatformEvent } from "@platform/events";
import { isOpen } from "../domain/payment.js";
import { insertPayment, lockPayment, updatePayment } from "../store/payment.store.js";
import { carryOutCallOff } from "./call-off.js";
import type { PaymentDeps } from "./payment-deps.js";
import { carryOutRefund, oweRefund } from "./refunds.js";

export const CANCELLED_ORDER_REASON = "The order was cancelled.";

export async function orderCancelled(
  deps: PaymentDeps,
  event: PlatformEvent<"order.status.updated">,
): Promise<void> {
  const { order, user } = event.payload;
  await paymentOfCancelledOrder(deps, { order, user, requestId: event.requestId });
}

/**
 * The cancellation applied to the order's payment: from its event, or from the order service's
 * answer when a request about the payment comes before the event does.
 */
export async function paymentOfCancelledOrder(
  deps: PaymentDeps,
  {
    order,
    user,
    requestId,
  }: {
    order: { id: string; userId: string; totalCents: number; currency: string };
    user: OrderOwner;
    requestId: string;
  },
): Promise<void> {
  const provider = deps.provider;
  if (!provider) return;
  const step = await deps.db.transaction().execute(async (trx) => {
    let payment = await lockPayment(trx, { orderId: order.id });
    if (!payment) {
      const standIn = await insertPayment(
        trx,
        {
          id: Bun.randomUUIDv7(),
          orderId: order.id,
          userId: order.userId,
          provider: provider.name,
          amountCents: order.totalCents,
          currency: order.currency,
          owner: user,
          requestId,
        },
        "CANCELLED",
      );
      if (standIn) return undefined; // it remembers the order is gone: nothing more to do
      // A payment a request started meanwhile took the order id first.
      payment = await lockPayment(trx, { orderId: order.id });
    }
    if (!payment || payment.orderCancelled) return undefined;
    const paid = payment.status === "SUCCEEDED" || payment.status === "REFUNDED";
    await updatePayment(trx, payment.id, {
      orderCancelled: true,
      ...(isOpen(payment) && { status: "CANCELLED" as const }),
      ...(!paid && { callOffOwed: true }),
    });
    if (payment.status === "SUCCEEDED")
      await oweRefund(trx, payment, { reason: CANCELLED_ORDER_REASON, requestId });
    return { payment, paid };
  });
  if (!step) return;
  const { payment, paid } = step;
  const log = deps.logger.child({ paymentId: payment.id, orderId: order.id, requestId });
  if (!paid) {
    // Owed above; if the provider cannot hear it now, the refund job tells it later.
    await carryOutCallOff(deps, payment.id).catch((err) =>
      log.warn({ err }, "could not call off the payment with the provider; it is tried again later"),
    );
  }
  if (payment.status === "SUCCEEDED") {
    // Owed above; if the provider cannot take it now, the refund job will.
    await carryOutRefund(deps, payment.id).catch((err) =>
      log.warn({ err }, "refund deferred to the refund job"),
    );
  }
}
