/**
 * A provider's webhook (POST /payments/webhooks/{provider}): verified (a bad signature is 400 and
 * changes nothing), then applied once per provider event id, under the payment's lock, with its
 * attempt, the payment's new state and its event (payment.succeeded, payment.failed) in one
 * transaction. Deliveries that come twice or out of order change nothing (domain/payment.ts
 * `decide`); money that arrives for an order that is gone, or for another amount than the order's,
 * is owed back in the same transaction.
 */
import { isUuid } from "@platform/http";
import { insertOutboxEvent } from "@platform/outbox";
import { decide } from "../domain/payment.js";
import { paymentFailed, paymentSucceeded } from "../events/payment-events.js";
import { claimProviderEvent, insertAttempt, lockPayment, updatePayment } from "../store/payment.store.js";
import type { PaymentDeps } from "./payment-deps.js";
import { carryOutRefund, oweRefund } from "./refunds.js";

export type WebhookOutcome = "applied" | "duplicate" | "ignored";

export async function applyWebhook(
  deps: PaymentDeps,
  { body, signature, requestId }: { body: string; signature: string | undefined; requestId: string },
): Promise<WebhookOutcome> {
  const { db, provider, logger } = deps;
  if (!provider) return "ignored";
  const event = await provider.readWebhook(body, signature);
  // Not one of ours (another system's payment on the same account, or no id of ours at all).
  if (!event || !isUuid(event.paymentId)) return "ignored";
  const log = logger.child({ paymentId: event.paymentId, providerEvent: event.id, requestId });
  const result = await db.transaction().execute(async (trx) => {
    const payment = await lockPayment(trx, { id: event.paymentId });
    if (!payment) return { outcome: "ignored" as const, refund: false };
    const first = await claimProviderEvent(trx, {
      provider: provider.name,
      eventId: event.id,
      paymentId: payment.id,
    });
    if (!first) return { outcome: "duplicate" as const, refund: false };
    const decision = decide(payment, event.outcome, deps.maxAttempts);
    if (decision.attempt) {
      await insertAttempt(trx, { paymentId: payment.id, ...decision.attempt, providerEventId: event.id });
    }
    const changed = decision.status !== payment.status || decision.failedAttempts !== payment.failedAttempts;
    const updated = changed
      ? await updatePayment(trx, payment.id, {
          status: decision.status,
          failedAttempts: decision.failedAttempts,
        })
      : payment;
    if (decision.publish === "payment.succeeded") {
      await insertOutboxEvent(trx, deps.eventsStream, paymentSucceeded(updated, requestId));
    } else if (decision.publish === "payment.failed") {
      const reason = decision.failure ?? "The payment was declined.";
      await insertOutboxEvent(trx, deps.eventsStream, paymentFailed(updated, reason, requestId));
    }
    const refund = decision.refundCents > 0;
    if (refund) {
      await oweRefund(trx, updated, {
        reason: decision.refundReason ?? "Money taken that was not owed.",
        requestId,
        amountCents: decision.refundCents,
      });
    }
    if (decision.attempt?.outcome === "MISMATCH") {
      log.error({ message: decision.attempt.message }, "a payment's amount does not match its order");
    }
    return { outcome: "applied" as const, refund };
  });
  if (result.outcome !== "applied") return result.outcome;
  deps.relay.nudge();
  if (result.refund) {
    // Owed in the transaction above; if the provider cannot take it now the refund job will.
    await carryOutRefund(deps, event.paymentId).catch((err) =>
      log.warn({ err }, "the refund of money not owed failed; the refund job will retry it"),
    );
  }
  return "applied";
}
