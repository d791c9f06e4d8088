/**
 * An order was cancelled (order.status.updated → CANCELLED: by its owner, an admin, a failed
 * payment or the end of its payment window). Its payment follows: still open, it is called off with
 * the provider; paid, it is refunded in full. The payment remembers that its order is gone, so money
 * that arrives later goes back too. An order nobody started paying gets a CANCELLED stand-in under
 * its id, so a payment started a moment later finds the order gone rather than taking money for it.
 * A redelivery finds the payment remembered already.
 */
import type { PlatformEvent } from "@platform/events";
import { isOpen } from "../domain/payment.js";
import { insertPayment, lockPayment, updatePayment } from "../store/payment.store.js";
import type { PaymentDeps } from "./payment-deps.js";
import { carryOutRefund, oweRefund } from "./refunds.js";

export const CANCELLED_ORDER_REASON = "The order was cancelled.";

export async function orderCancelled(
  deps: PaymentDeps,
  event: PlatformEvent<"order.status.updated">,
): Promise<void> {
  const { order, user } = event.payload;
  const { requestId } = event;
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
    const open = isOpen(payment);
    await updatePayment(trx, payment.id, {
      orderCancelled: true,
      ...(open && { status: "CANCELLED" as const }),
    });
    if (payment.status === "SUCCEEDED")
      await oweRefund(trx, payment, { reason: CANCELLED_ORDER_REASON, requestId });
    return { payment, open };
  });
  if (!step) return;
  const { payment, open } = step;
  const log = deps.logger.child({ paymentId: payment.id, orderId: order.id, requestId });
  if (open && payment.reference) {
    await provider.cancelPayment(payment.reference).catch((err) =>
      // A payment that goes through anyway is refunded when its webhook arrives.
      log.warn({ err }, "could not call off the payment with the provider"),
    );
  }
  if (payment.status === "SUCCEEDED") {
    // Owed above; if the provider cannot take it now, the refund job will.
    await carryOutRefund(deps, payment.id).catch((err) =>
      log.warn({ err }, "refund deferred to the refund job"),
    );
  }
}
