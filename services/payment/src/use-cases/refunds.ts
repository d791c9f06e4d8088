/**
 * Refunds: owed in the transaction that decides them (a PENDING row: an admin's refund, a cancelled
 * order that was paid, money that arrived after its order was gone or for another amount), then
 * carried out with the provider under the refund's id as idempotency key. A refund the provider
 * could not take now, or is still working on, stays PENDING and the refund job tries it again (and
 * asks after one the provider answered "pending"), so a crash or an outage in between loses none.
 */
import { AppError } from "@platform/errors";
import { insertOutboxEvent } from "@platform/outbox";
import type { Payment, Refund, RefundStatus } from "../domain/payment.js";
import { paymentRefunded } from "../events/payment-events.js";
import type { PaymentProvider } from "../providers/provider.js";
import {
  findReference,
  insertRefund,
  lockPayment,
  type PaymentDb,
  pendingRefund,
  settleRefund,
  touchRefund,
  updatePayment,
} from "../store/payment.store.js";
import type { PaymentDeps } from "./payment-deps.js";

/**
 * Owes money back, in the caller's transaction (the payment locked): `amountCents` when given (money
 * taken that was not the order's payment), else the rest of a SUCCEEDED payment.
 */
export async function oweRefund(
  trx: PaymentDb,
  payment: Payment,
  { reason, requestId, amountCents }: { reason: string; requestId: string; amountCents?: number },
): Promise<Refund> {
  const owed = await pendingRefund(trx, payment.id);
  if (owed) return owed;
  if (amountCents === undefined && payment.status !== "SUCCEEDED") {
    throw new AppError("INVALID_TRANSITION", `A payment that is ${payment.status} cannot be refunded.`, {
      paymentStatus: payment.status,
    });
  }
  return insertRefund(trx, {
    id: Bun.randomUUIDv7(),
    paymentId: payment.id,
    amountCents: amountCents ?? payment.amountCents - payment.refundedCents,
    reason,
    requestId,
  });
}

/**
 * Carries out the payment's PENDING refund, if it has one: the provider gives the money back (or,
 * for one it answered "pending" before, says where it stands), then one transaction marks the
 * refund and the payment and writes payment.refunded. A refund the provider refuses or fails for
 * good is marked FAILED and logged for a person; a failure that may pass puts it at the back of the
 * queue and is thrown.
 */
export async function carryOutRefund(deps: PaymentDeps, paymentId: string): Promise<void> {
  const { db, provider, logger } = deps;
  const owed = await pendingRefund(db, paymentId);
  if (!owed || !provider) return;
  const log = logger.child({ paymentId, refundId: owed.id, requestId: owed.requestId });
  let answer: { reference: string | null; status: RefundStatus };
  let refusal: unknown;
  try {
    answer = await askProvider(db, provider, paymentId, owed);
  } catch (error) {
    if (!(error instanceof AppError && error.code === "INVALID_TRANSITION")) {
      await touchRefund(db, owed.id);
      throw error;
    }
    refusal = error;
    answer = { reference: owed.reference, status: "FAILED" };
  }
  if (answer.status === "PENDING") {
    await settleRefund(db, owed.id, answer);
    return;
  }
  await db.transaction().execute(async (trx) => {
    const locked = await lockPayment(trx, { id: paymentId });
    const still = await pendingRefund(trx, paymentId);
    if (!locked || still?.id !== owed.id) return; // settled meanwhile by another
    await settleRefund(trx, owed.id, answer);
    if (answer.status === "FAILED") {
      // Refused when asked, or failed later (a closed card): the customer's money stays taken.
      log.error(
        { err: refusal, reference: answer.reference, amountCents: owed.amountCents },
        "the provider refused or failed a refund for good; it needs attention",
      );
      return;
    }
    const refundedCents = locked.refundedCents + owed.amountCents;
    const whole = locked.status === "SUCCEEDED" && refundedCents >= locked.amountCents;
    const updated = await updatePayment(trx, paymentId, {
      refundedCents,
      ...(whole && { status: "REFUNDED" as const }),
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

/** The provider's word on a refund: made now (once per refund id), or asked after when made before. */
async function askProvider(
  db: PaymentDeps["db"],
  provider: PaymentProvider,
  paymentId: string,
  owed: Refund,
): Promise<{ reference: string | null; status: RefundStatus }> {
  if (owed.reference)
    return { reference: owed.reference, status: await provider.refundStatus(owed.reference) };
  const reference = await findReference(db, paymentId);
  if (!reference)
    throw new AppError("INVALID_TRANSITION", "The payment has no provider reference to refund.");
  return provider.refund({ reference, refundId: owed.id, amountCents: owed.amountCents });
}
