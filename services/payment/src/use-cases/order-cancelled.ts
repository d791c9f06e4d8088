/**
 * An order was cancelled (order.status.updated → CANCELLED: by its owner, an admin, a failed
 * payment or the end of its payment window). Its payment, if it has one, follows: still open, it is
 * called off with the provider; paid, it is refunded in full. The payment remembers that its order
 * is gone, so money that arrives later goes back too. A redelivery finds it remembered already.
 */

import { isOpen } from "../domain/payment.js";
import { lockPayment, updatePayment } from "../store/payment.store.js";
import type { PaymentDeps } from "./payment-deps.js";
import { carryOutRefund, oweRefund } from "./refunds.js";

export const CANCELLED_ORDER_REASON = "The order was cancelled.";

export async function orderCancelled(
  deps: PaymentDeps,
  { orderId, requestId }: { orderId: string; requestId: string },
): Promise<void> {
  const step = await deps.db.transaction().execute(async (trx) => {
    const payment = await lockPayment(trx, { orderId });
    if (!payment || payment.orderCancelled) return undefined;
    const open = isOpen(payment);
    await updatePayment(trx, payment.id, {
      orderCancelled: true,
      ...(open && { status: "CANCELLED" as const }),
    });
    if (payment.status === "SUCCEEDED") await oweRefund(trx, payment, CANCELLED_ORDER_REASON, requestId);
    return { payment, open };
  });
  if (!step) return;
  const { payment, open } = step;
  if (open && payment.reference && deps.provider) {
    await deps.provider.cancelPayment(payment.reference).catch((err) =>
      // A payment that goes through anyway is refunded when its webhook arrives.
      deps.logger.warn({ err, paymentId: payment.id }, "could not call off the payment with the provider"),
    );
  }
  if (payment.status === "SUCCEEDED") await carryOutRefund(deps, payment.id);
}
