/**
 * Calling off a payment whose order is gone: the provider cancels its side (Stripe: the payment
 * intent), so a checkout the customer still has open takes no money for a cancelled order. Owed in
 * the transaction that learns of the cancellation (order-cancelled.ts), cleared once the provider
 * has heard it; what an outage or a crash left owed the refund job carries out. A payment whose
 * reference arrives after its order was cancelled (start-payment.ts) is called off then. One the
 * provider can no longer call off (the money came meanwhile) is refunded when its webhook arrives.
 */
import { findPayment, updatePayment } from "../store/payment.store.js";
import type { PaymentDeps } from "./payment-deps.js";

export async function carryOutCallOff(
  deps: Pick<PaymentDeps, "db" | "provider">,
  paymentId: string,
): Promise<void> {
  const { db, provider } = deps;
  const payment = await findPayment(db, paymentId);
  if (!provider || !payment?.callOffOwed || payment.reference === null) return;
  try {
    await provider.cancelPayment(payment.reference);
  } catch (error) {
    await updatePayment(db, paymentId, {}); // to the back of the refund job's queue
    throw error;
  }
  await updatePayment(db, paymentId, { callOffOwed: false });
}
