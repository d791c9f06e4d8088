/**
 * POST /orders/{id}/refund: an admin gives an order's payment back in full (the order stays as it
 * is: a shop may refund a damaged delivery; cancelling is what returns stock). Only once the order
 * has taken the payment: while payment.succeeded is still on its way to the order service (a
 * lagging consumer, Redis away), the order is PENDING_PAYMENT, and a refund then would leave it to
 * be confirmed — stock committed — by money already given back. That is a 409 to try again.
 */
import { AppError, notFound } from "@platform/errors";
import type { Payment, Refund } from "../domain/payment.js";
import { lockPayment } from "../store/payment.store.js";
import type { PaymentDeps } from "./payment-deps.js";
import { carryOutRefund, oweRefund } from "./refunds.js";

/** Why an admin's refund gives the money back, unless they say. */
const ADMIN_REFUND_REASON = "Refunded by the shop.";

export async function refundOrder(
  deps: PaymentDeps,
  { orderId, reason, requestId }: { orderId: string; reason?: string; requestId: string },
): Promise<{ payment: Payment; refund: Refund }> {
  const billing = await deps.orders.billing(orderId, requestId);
  if (billing?.status === "PENDING_PAYMENT") {
    throw new AppError(
      "INVALID_TRANSITION",
      "The order has not taken its payment yet; try again in a moment.",
      { orderStatus: billing.status },
    );
  }
  const owed = await deps.db.transaction().execute(async (trx) => {
    const locked = await lockPayment(trx, { orderId });
    if (!locked) throw notFound("The order has no payment to refund.");
    if (locked.status === "REFUNDED") {
      throw new AppError("INVALID_TRANSITION", "The payment was refunded already.", {
        paymentStatus: "REFUNDED",
      });
    }
    return {
      payment: locked,
      refund: await oweRefund(trx, locked, { reason: reason ?? ADMIN_REFUND_REASON, requestId }),
    };
  });
  // Owed above; if the provider cannot take it now, the refund job carries it out later.
  await carryOutRefund(deps, owed.payment.id).catch((err) =>
    deps.logger.warn({ err, paymentId: owed.payment.id, requestId }, "refund deferred to the refund job"),
  );
  return owed;
}
