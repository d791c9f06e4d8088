/**
 * The sandbox provider: a local simulator for development, the demo and the tests. It holds no
 * money and calls no one. A payment is confirmed with one of Stripe's test card numbers
 * (POST /payments/sandbox/{id}/confirm), and the outcome comes back as Stripe would send it: a
 * `payment_intent.*` webhook signed with the webhook secret, which the service receives on its
 * webhook route like any provider's.
 *   4242 4242 4242 4242  succeeds
 *   4000 0000 0000 0002  is declined (card_declined)
 *   4000 0000 0000 9995  is declined (insufficient_funds)
 *   4000 0025 0000 3155  needs authentication (3-D Secure): the payment waits REQUIRES_ACTION, and
 *                        confirming it again with the same card stands for the customer passing it
 * Its checkout page (routes/checkout.ts) does the same for a browser, opened with the payment's
 * client secret.
 */
import { validationFailed } from "@platform/errors";
import Stripe from "stripe";
import type { PaymentStatus, RefundStatus } from "../domain/payment.js";
import type { PaymentProvider } from "./provider.js";
import { readStripeWebhook } from "./stripe-events.js";

type CardBehaviour = "succeeds" | "declined" | "insufficient_funds" | "authenticate";

const TEST_CARDS: Record<string, CardBehaviour> = {
  "4242424242424242": "succeeds",
  "4000000000000002": "declined",
  "4000000000009995": "insufficient_funds",
  "4000002500003155": "authenticate",
};

const DECLINES = {
  declined: { code: "card_declined", message: "Your card was declined." },
  insufficient_funds: { code: "card_declined", message: "Your card has insufficient funds." },
};

export interface SandboxCharge {
  /** The webhook as Stripe would deliver it: its body and its Stripe-Signature header. */
  body: string;
  signature: string;
}

export class SandboxProvider implements PaymentProvider {
  readonly name = "sandbox";

  constructor(private readonly webhookSecret: string) {}

  /**
   * A payment intent of the simulator; its client secret opens the checkout page, as Stripe's opens
   * Stripe.js. Made again for the same payment (two requests starting it at once) it is the same, as
   * Stripe's is under its idempotency key: a MAC of the payment id, which nobody without the webhook
   * secret can make.
   */
  async createPayment({ paymentId }: { paymentId: string }) {
    const reference = `pi_sbx_${paymentId.replaceAll("-", "")}`;
    const secret = new Bun.CryptoHasher("sha256", this.webhookSecret)
      .update(`client-secret:${paymentId}`)
      .digest("hex");
    return { reference, clientSecret: `${reference}_secret_${secret.slice(0, 48)}` };
  }

  async cancelPayment(): Promise<void> {
    // Nothing to call off: the simulator holds no money and no state of its own.
  }

  async refund({ refundId }: { refundId: string }) {
    return { reference: `re_sbx_${refundId.replaceAll("-", "")}`, status: "SUCCEEDED" as const };
  }

  async refundStatus(): Promise<RefundStatus> {
    return "SUCCEEDED";
  }

  readWebhook(body: string, signature: string | undefined) {
    return readStripeWebhook(body, signature, this.webhookSecret);
  }

  /**
   * A card presented for a payment: the webhook its test number leads to. Throws
   * VALIDATION_FAILED for a number that is not one of the test cards above.
   */
  async charge(
    payment: {
      id: string;
      orderId: string;
      reference: string;
      amountCents: number;
      currency: string;
      status: PaymentStatus;
    },
    card: string,
  ): Promise<SandboxCharge> {
    const behaviour = TEST_CARDS[card.replace(/[\s-]/g, "")];
    if (!behaviour) {
      throw validationFailed("The sandbox takes Stripe's test card numbers only.", [
        { field: "card", message: `one of ${Object.keys(TEST_CARDS).join(", ")}` },
      ]);
    }
    // The second confirmation of a 3-D Secure card is the customer passing the challenge.
    const passed = behaviour === "authenticate" && payment.status === "REQUIRES_ACTION";
    const succeeds = behaviour === "succeeds" || passed;
    const decline =
      behaviour === "declined" || behaviour === "insufficient_funds" ? DECLINES[behaviour] : null;
    const intent = {
      id: payment.reference,
      object: "payment_intent",
      amount: payment.amountCents,
      amount_received: succeeds ? payment.amountCents : 0,
      currency: payment.currency.toLowerCase(),
      status: succeeds ? "succeeded" : decline ? "requires_payment_method" : "requires_action",
      metadata: { paymentId: payment.id, orderId: payment.orderId },
      last_payment_error: decline ? { type: "card_error", ...decline } : null,
    };
    const type = succeeds
      ? "payment_intent.succeeded"
      : decline
        ? "payment_intent.payment_failed"
        : "payment_intent.requires_action";
    const body = JSON.stringify({
      id: `evt_sbx_${Bun.randomUUIDv7().replaceAll("-", "")}`,
      object: "event",
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      type,
      data: { object: intent },
    });
    return { body, signature: await signSandboxWebhook(body, this.webhookSecret) };
  }
}

/** A Stripe-Signature header for a body, as Stripe computes it (the SDK's own helper). */
export const signSandboxWebhook = (body: string, secret: string) =>
  Stripe.webhooks.generateTestHeaderStringAsync({ payload: body, secret });
