import { describe, expect, test } from "bun:test";
import { decide, LATE_PAYMENT_REASON, type Payment } from "./payment.js";

const payment = (fields: Partial<Payment> = {}): Payment => ({
  id: "0193a5a0-0000-7000-8000-000000000001",
  orderId: "0193a5a0-0000-7000-8000-000000000002",
  userId: "0193a5a0-0000-7000-8000-000000000003",
  provider: "sandbox",
  reference: "pi_sbx_1",
  clientSecret: null,
  status: "PENDING",
  amountCents: 2500,
  refundedCents: 0,
  currency: "EUR",
  owner: { id: "0193a5a0-0000-7000-8000-000000000003", email: "a@example.com", name: "A" },
  failedAttempts: 0,
  orderCancelled: false,
  callOffOwed: false,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...fields,
});
const paid = { kind: "succeeded", amountCents: 2500, currency: "EUR" } as const;
const declined = { kind: "failed", message: "Your card was declined." } as const;

describe("decide", () => {
  test("a success of the owed amount takes the payment and publishes payment.succeeded", () => {
    expect(decide(payment(), paid, 3)).toEqual({
      attempt: { outcome: "SUCCEEDED", message: null },
      status: "SUCCEEDED",
      failedAttempts: 0,
      publish: "payment.succeeded",
      refundCents: 0,
    });
  });

  test("a success seen already (a redelivery) or after a refund changes nothing", () => {
    for (const status of ["SUCCEEDED", "REFUNDED"] as const) {
      const decision = decide(payment({ status }), paid, 3);
      expect([decision.attempt, decision.status, decision.publish]).toEqual([undefined, status, undefined]);
    }
  });

  test("a success for another amount or currency fails the payment, and what was taken goes back", () => {
    for (const outcome of [
      { ...paid, amountCents: 1 },
      { ...paid, amountCents: 9000 },
      { ...paid, currency: "USD" },
    ]) {
      const decision = decide(payment(), outcome, 3);
      expect(decision.attempt?.outcome).toBe("MISMATCH");
      expect([decision.status, decision.publish, decision.refundCents]).toEqual([
        "FAILED",
        "payment.failed",
        outcome.amountCents,
      ]);
    }
    // After the order is gone, the money goes back all the same; nothing more is published.
    const late = decide(
      payment({ status: "CANCELLED", orderCancelled: true }),
      { ...paid, amountCents: 1 },
      3,
    );
    expect([late.status, late.publish, late.refundCents]).toEqual(["CANCELLED", undefined, 1]);
  });

  test("money that arrives for an order that is gone is taken and owed back, never announced as paid", () => {
    expect(decide(payment({ status: "CANCELLED", orderCancelled: true }), paid, 3)).toMatchObject({
      status: "SUCCEEDED",
      publish: undefined,
      refundCents: 2500,
      refundReason: LATE_PAYMENT_REASON,
    });
    // Failed for good, then paid after all: payment.failed cancels the order; a payment.succeeded
    // handled before it would confirm an order whose money goes back.
    expect(decide(payment({ status: "FAILED", failedAttempts: 3 }), paid, 3)).toMatchObject({
      publish: undefined,
      refundCents: 2500,
    });
  });

  test("declines count up to the attempts allowed; the last one fails the payment with payment.failed", () => {
    const first = decide(payment(), declined, 2);
    expect(first).toMatchObject({ status: "PENDING", failedAttempts: 1, publish: undefined, refundCents: 0 });
    expect(first.attempt).toEqual({ outcome: "DECLINED", message: "Your card was declined." });
    const last = decide(payment({ failedAttempts: 1, status: "REQUIRES_ACTION" }), declined, 2);
    expect(last).toMatchObject({
      status: "FAILED",
      failedAttempts: 2,
      publish: "payment.failed",
      failure: "Your card was declined.",
    });
  });

  test("a decline after the success (out of order) changes nothing", () => {
    const decision = decide(payment({ status: "SUCCEEDED" }), declined, 3);
    expect([decision.attempt, decision.status, decision.failedAttempts]).toEqual([undefined, "SUCCEEDED", 0]);
  });

  test("an authentication step holds a pending payment in REQUIRES_ACTION, and only a pending one", () => {
    expect(decide(payment(), { kind: "requires_action" }, 3)).toMatchObject({
      attempt: { outcome: "REQUIRES_ACTION", message: null },
      status: "REQUIRES_ACTION",
      publish: undefined,
    });
    expect(decide(payment({ status: "SUCCEEDED" }), { kind: "requires_action" }, 3).status).toBe("SUCCEEDED");
  });
});
