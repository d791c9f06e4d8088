/**
 * Refunds: owed in the transaction that decides them (a PENDING row: an admin's refund, a cancelled
 * order that was paid, money that arrived after its order was gone), then carried out with the
 * provider under the refund's id as idempotency key. A refund the provider could not take now stays
 * PENDING and the refund job tries it again, so a crash or an outage in between loses none.
 */
import { AppError } from "@platform/errors";
import { insertOutboxEvent } from "@platform/outbox";
import type { Payment, Refund } from "../domain/payment.js";
import { paymentRefunded } from "../events/payment-events.js";
import {
  insertRefund,
  lockPayment,
  type PaymentDb,
  pendingRefund,
  settleRefund,
  updatePayment,
} from "../store/payment.store.js";
import type { PaymentDeps } from "./payment-deps.js";

/** Owes the rest of a SUCCEEDED payment back, in the caller's transaction (the payment locked). */
export async function oweRefund(
  trx: PaymentDb,
  payment: Payment,
  reason: string,
  requestId: string,
): Promise<Refund> {
  const owed = await pendingRefund(trx, payment.id);
  if (owed) return owed;
  if (payment.status !== "SUCCEEDED") {
    throw new AppError("INVALID_TRANSITION", `A payment that is ${payment.status} cannot be refunded.`, {
      paymentStatus: payment.status,
    });
  }
  return insertRefund(trx, {
    id: Bun.randomUUIDv7(),
    paymentId: payment.id,
    amountCents: payment.amountCents - payment.refundedCents,
    reason,
    requestId,
  });
}

/**
 * Carries out the payment's PENDING refund, if it has one: the provider gives the money back, then
 * one transaction marks the refund and the payment and writes payment.refunded. A provider still
 * working on it (PENDING) leaves it for the refund job.
 */
export async function carryOutRefund(deps: PaymentDeps, paymentId: string): Promise<void> {
  const { db, provider } = deps;
  const owed = await pendingRefund(db, paymentId);
  if (!owed || !provider) return;
  const payment = await db
    .selectFrom("payment")
    .select("reference")
    .where("id", "=", paymentId)
    .executeTakeFirst();
  if (!payment?.reference) throw new Error(`payment ${paymentId} has no provider reference to refund`);
  const answer = await provider.refund({
    reference: payment.reference,
    refundId: owed.id,
    amountCents: owed.amountCents,
  });
  if (answer.status === "PENDING") return;
  await db.transaction().execute(async (trx) => {
    const locked = await lockPayment(trx, { id: paymentId });
    const still = await pendingRefund(trx, paymentId);
    if (!locked || still?.id !== owed.id) return; // settled meanwhile by another
    await settleRefund(trx, owed.id, answer);
    if (answer.status === "FAILED") {
      deps.logger.error(
        { paymentId, refundId: owed.id },
        "the provider refused a refund; it needs attention",
      );
      return;
    }
    const refundedCents = locked.refundedCents + owed.amountCents;
    const updated = await updatePayment(trx, paymentId, {
      refundedCents,
      status: refundedCents >= locked.amountCents ? "REFUNDED" : locked.status,
    });
    await insertOutboxEvent(
      trx,
      deps.eventsStream,
      paymentRefunded(
        updated,
        { id: owed.id, amountCents: owed.amountCents, reason: owed.reason },
        owed.requestId,
      ),
    );
  });
  deps.relay.nudge();
}
