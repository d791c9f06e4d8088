/**
 * Payments as the service keeps them, and what a provider's word does to one; pure, no I/O.
 * Money is integer minor units of `currency` (ARCHITECTURE §5).
 */
import type { OrderOwner, PaymentSnapshot, PaymentStatus } from "@platform/events";

export type { PaymentStatus };

export interface Payment {
  id: string;
  orderId: string;
  userId: string;
  provider: string;
  /** The provider's id for it (a payment intent), once the provider has one. */
  reference: string | null;
  /** Handed to the customer's browser by Stripe.js; null for the sandbox. */
  clientSecret: string | null;
  status: PaymentStatus;
  amountCents: number;
  refundedCents: number;
  currency: string;
  /** Who pays, as the order recorded them: payment events carry it for the notifications. */
  owner: OrderOwner;
  failedAttempts: number;
  /** The order was cancelled: money that arrives after that goes back. */
  orderCancelled: boolean;
  /** The provider is still to hear that the payment is called off (its order is gone). */
  callOffOwed: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type AttemptOutcome = "SUCCEEDED" | "DECLINED" | "REQUIRES_ACTION" | "MISMATCH";

export interface Attempt {
  outcome: AttemptOutcome;
  message: string | null;
  at: Date;
}

export type RefundStatus = "PENDING" | "SUCCEEDED" | "FAILED";

export interface Refund {
  id: string;
  amountCents: number;
  reason: string;
  status: RefundStatus;
  /** The provider's id for it, once it has answered. */
  reference: string | null;
  requestId: string;
  createdAt: Date;
}

/** What a provider says happened to a payment (read from its webhook). */
export type ProviderOutcome =
  | { kind: "succeeded"; amountCents: number; currency: string }
  | { kind: "failed"; message: string }
  | { kind: "requires_action" };

/** What an outcome does: the attempt to record, the payment's new state, what to publish, what to give back. */
export interface Decision {
  attempt: { outcome: AttemptOutcome; message: string | null } | undefined;
  status: PaymentStatus;
  failedAttempts: number;
  publish: "payment.succeeded" | "payment.failed" | undefined;
  /** Why the payment failed, for payment.failed. */
  failure?: string;
  /** Money taken that goes back, in minor units (0: none): for an order that is gone, or a wrong amount. */
  refundCents: number;
  /** Why it goes back. */
  refundReason?: string;
}

/** Why money that arrives after its order was gone goes back. */
export const LATE_PAYMENT_REASON = "The payment arrived after its order was cancelled.";

const OPEN: ReadonlySet<PaymentStatus> = new Set(["PENDING", "REQUIRES_ACTION"]);

/**
 * A provider's outcome applied to a payment. Webhooks come late, twice and out of order, so an
 * outcome that no longer fits (a decline after the success, a success seen already) changes
 * nothing. A success is always taken: the money moved. When the order is gone by then (cancelled,
 * or the payment was given up), it is refunded, and not announced as a payment. A success for another amount or currency than the
 * order's is not the order's payment: it fails the payment (the order is cancelled) and what was
 * taken goes back.
 */
export function decide(payment: Payment, outcome: ProviderOutcome, maxAttempts: number): Decision {
  const unchanged: Decision = {
    attempt: undefined,
    status: payment.status,
    failedAttempts: payment.failedAttempts,
    publish: undefined,
    refundCents: 0,
  };
  switch (outcome.kind) {
    case "succeeded": {
      if (payment.status === "SUCCEEDED" || payment.status === "REFUNDED") return unchanged;
      if (outcome.amountCents !== payment.amountCents || outcome.currency !== payment.currency) {
        const message = `paid ${outcome.amountCents} ${outcome.currency}, owed ${payment.amountCents} ${payment.currency}`;
        const open = OPEN.has(payment.status);
        return {
          attempt: { outcome: "MISMATCH", message },
          status: open ? "FAILED" : payment.status,
          failedAttempts: payment.failedAttempts,
          publish: open ? "payment.failed" : undefined,
          failure: "The amount paid did not match the order's total; it is given back.",
          refundCents: outcome.amountCents,
          refundReason: `The amount paid did not match the order's total (${message}).`,
        };
      }
      const gone = payment.orderCancelled || !OPEN.has(payment.status);
      return {
        attempt: { outcome: "SUCCEEDED", message: null },
        status: "SUCCEEDED",
        failedAttempts: payment.failedAttempts,
        // Money for an order that is gone is not announced as paid: payment.succeeded confirms an
        // order still awaiting payment, and one whose payment.failed is handled after it (two
        // consumers, a reclaimed entry) would be confirmed while its money goes back. Its refund
        // (payment.refunded) is what the customer hears of.
        publish: gone ? undefined : "payment.succeeded",
        refundCents: gone ? payment.amountCents : 0,
        ...(gone && { refundReason: LATE_PAYMENT_REASON }),
      };
    }
    case "failed": {
      if (!OPEN.has(payment.status)) return unchanged;
      const failedAttempts = payment.failedAttempts + 1;
      const final = failedAttempts >= maxAttempts;
      return {
        attempt: { outcome: "DECLINED", message: outcome.message },
        status: final ? "FAILED" : "PENDING",
        failedAttempts,
        publish: final ? "payment.failed" : undefined,
        failure: outcome.message,
        refundCents: 0,
      };
    }
    case "requires_action": {
      if (payment.status !== "PENDING") return unchanged;
      return {
        ...unchanged,
        attempt: { outcome: "REQUIRES_ACTION", message: null },
        status: "REQUIRES_ACTION",
      };
    }
  }
}

/** Whether the customer may still pay (or try again). */
export const isOpen = (payment: Pick<Payment, "status">) => OPEN.has(payment.status);

/** A payment as its events carry it. */
export const toSnapshot = (payment: Payment): PaymentSnapshot => ({
  id: payment.id,
  orderId: payment.orderId,
  userId: payment.userId,
  provider: payment.provider,
  status: payment.status,
  amountCents: payment.amountCents,
  refundedCents: payment.refundedCents,
  currency: payment.currency,
});

/** A payment as the API answers it: with its attempts and refunds. */
export const toPaymentView = (payment: Payment, attempts: Attempt[], refunds: Refund[]) => ({
  ...toSnapshot(payment),
  createdAt: payment.createdAt.toISOString(),
  updatedAt: payment.updatedAt.toISOString(),
  attempts: attempts.map((a) => ({ outcome: a.outcome, message: a.message, at: a.at.toISOString() })),
  refunds: refunds.map((r) => ({
    id: r.id,
    amountCents: r.amountCents,
    reason: r.reason,
    status: r.status,
    createdAt: r.createdAt.toISOString(),
  })),
});
