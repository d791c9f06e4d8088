/**
 * POST /orders/{id}/payment: the owner of an order that is PENDING_PAYMENT starts paying it. One
 * payment per order: a second request (a retried click, a race) answers the first while it is open;
 * a payment that is over (paid, failed, called off with its order) is 409. The payment is
 * stored before the provider hears of it, and the provider's side is created under the payment's
 * id as idempotency key, so a crash in between is mended by the next request, never doubled. An
 * open payment is handed out again only while its order still waits for it.
 */
import type { Principal } from "@platform/auth";
import { AppError, notFound } from "@platform/errors";
import { insertOutboxEvent } from "@platform/outbox";
import { isOpen, type Payment } from "../domain/payment.js";
import { paymentFailed } from "../events/payment-events.js";
import { findPaymentOfOrder, insertPayment, lockPayment, updatePayment } from "../store/payment.store.js";
import { carryOutCallOff } from "./call-off.js";
import { paymentOfCancelledOrder } from "./order-cancelled.js";
import type { PaymentDeps } from "./payment-deps.js";

export async function startPayment(
  deps: PaymentDeps,
  { orderId, principal, requestId }: { orderId: string; principal: Principal; requestId: string },
): Promise<{ payment: Payment; created: boolean }> {
  const { db, provider, orders } = deps;
  if (!provider) {
    throw new AppError("INVALID_TRANSITION", "Payments are off here: orders are confirmed when placed.");
  }
  const existing = await findPaymentOfOrder(db, orderId);
  if (existing && existing.userId !== principal.userId) throw notFound("No such order.");
  let payment = existing;
  let created = false;
  if (!payment) {
    const billing = await orders.billing(orderId, requestId);
    if (!billing || billing.owner.id !== principal.userId) throw notFound("No such order.");
    if (billing.status !== "PENDING_PAYMENT") throw takesNoPayment(billing.status);
    const inserted = await insertPayment(db, {
      id: Bun.randomUUIDv7(),
      orderId,
      userId: principal.userId,
      provider: provider.name,
      amountCents: billing.totalCents,
      currency: billing.currency,
      owner: billing.owner,
      requestId,
    });
    created = inserted !== undefined;
    payment = inserted ?? (await findPaymentOfOrder(db, orderId));
    if (!payment) throw new Error(`the payment of order ${orderId} vanished`);
  }
  if (!isOpen(payment)) {
    throw new AppError("INVALID_TRANSITION", `The order's payment is ${payment.status}; it takes no more.`, {
      paymentStatus: payment.status,
    });
  }
  if (existing) await assertOrderAwaitsPayment(deps, existing, requestId);
  if (payment.reference === null) {
    const unmade = payment;
    const made = await provider
      .createPayment({
        paymentId: payment.id,
        orderId,
        amountCents: payment.amountCents,
        currency: payment.currency,
      })
      .catch(async (error: unknown) => {
        if (error instanceof AppError && error.code === "INVALID_TRANSITION") {
          await failRefused(deps, unmade, requestId);
        }
        throw error;
      });
    // Stored whatever happened meanwhile: a call-off needs the reference.
    const stored = await updatePayment(db, payment.id, {
      reference: made.reference,
      clientSecret: made.clientSecret,
    });
    if (!isOpen(stored)) {
      // The order was cancelled while the provider made its side: called off, never handed out.
      await carryOutCallOff(deps, stored.id).catch((err) =>
        deps.logger.warn({ err, paymentId: stored.id, requestId }, "call-off left to the refund job"),
      );
      throw new AppError("INVALID_TRANSITION", `The order's payment is ${stored.status}; it takes no more.`, {
        paymentStatus: stored.status,
      });
    }
    payment = stored;
  }
  return { payment, created };
}

/** Why a payment the provider will not make fails at once. */
const REFUSED_BY_PROVIDER = "The payment provider refused this payment (its amount or currency).";

/**
 * The provider refused for good to make the payment (an amount under its minimum, a currency the
 * account does not take): asking again gets the same answer, so the order could never be paid and
 * would hold its stock for the whole window. The payment fails now, with payment.failed, and the
 * order service cancels the order and releases its stock.
 */
async function failRefused(deps: PaymentDeps, payment: Payment, requestId: string): Promise<void> {
  const failed = await deps.db.transaction().execute(async (trx) => {
    const locked = await lockPayment(trx, { id: payment.id });
    // Made meanwhile by another request, or over: not this refusal's to decide.
    if (locked?.status !== "PENDING" || locked.reference !== null) return false;
    const updated = await updatePayment(trx, locked.id, { status: "FAILED" });
    await insertOutboxEvent(trx, deps.eventsStream, paymentFailed(updated, REFUSED_BY_PROVIDER, requestId));
    return true;
  });
  if (failed) {
    deps.relay.nudge();
    deps.logger.warn({ paymentId: payment.id, orderId: payment.orderId, requestId }, REFUSED_BY_PROVIDER);
  }
}

/**
 * Refuses (409) a payment whose order no longer waits for it. The order service is asked, not this
 * service's record: the cancellation's event may still be on its way (a consumer behind,
 * restarting), and until it comes the payment looks open. A cancellation found so is applied here
 * as its event would be: the payment is called off. (A client holding a Stripe client secret from
 * before can still pay through Stripe itself; that money goes back, as any that comes late does.)
 */
export async function assertOrderAwaitsPayment(
  deps: PaymentDeps,
  payment: Payment,
  requestId: string,
): Promise<void> {
  const billing = await deps.orders.billing(payment.orderId, requestId);
  if (billing?.status === "PENDING_PAYMENT") return;
  if (billing?.status === "CANCELLED") {
    await paymentOfCancelledOrder(deps, {
      order: {
        id: billing.orderId,
        userId: payment.userId,
        totalCents: billing.totalCents,
        currency: billing.currency,
      },
      user: billing.owner,
      requestId,
    });
  }
  throw takesNoPayment(billing?.status ?? "gone");
}

const takesNoPayment = (orderStatus: string) =>
  new AppError("INVALID_TRANSITION", `An order that is ${orderStatus} takes no payment.`, { orderStatus });
