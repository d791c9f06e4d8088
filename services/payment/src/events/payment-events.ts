/** The events the payment service publishes; their payloads are the contracts in @platform/events. */
import { createEvent } from "@platform/events";
import { type Payment, toSnapshot } from "../domain/payment.js";

/** The money arrived: the order service confirms the order. */
export const paymentSucceeded = (payment: Payment, requestId: string) =>
  createEvent("payment.succeeded", { payment: toSnapshot(payment), user: payment.owner }, { requestId });

/** The payment failed for good: the order service cancels the order. */
export const paymentFailed = (payment: Payment, reason: string, requestId: string) =>
  createEvent("payment.failed", { payment: toSnapshot(payment), user: payment.owner, reason }, { requestId });

/** Money went back: `refund` is this refund, `payment` the payment after it. */
export const paymentRefunded = (
  payment: Payment,
  refund: { id: string; amountCents: number; reason: string },
  requestId: string,
) =>
  createEvent(
    "payment.refunded",
    { payment: toSnapshot(payment), refund, user: payment.owner },
    { requestId },
  );
