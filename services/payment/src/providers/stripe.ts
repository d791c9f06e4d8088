/**
 * The Stripe provider, through the official SDK: a payment is a PaymentIntent (created once per
 * payment id: the idempotency key), refunds are Refunds (once per refund id), webhooks are verified
 * with `constructEventAsync`. STRIPE_API_URL points the SDK elsewhere (stripe-mock in the tests).
 */
import { AppError, dependencyUnavailable } from "@platform/errors";
import Stripe from "stripe";
import type { RefundStatus } from "../domain/payment.js";
import type { PaymentProvider } from "./provider.js";
import { readStripeWebhook } from "./stripe-events.js";

export class StripeProvider implements PaymentProvider {
  readonly name = "stripe";
  private readonly stripe: Stripe;

  constructor(
    secretKey: string,
    private readonly webhookSecret: string,
    apiUrl?: string,
  ) {
    const api = apiUrl ? new URL(apiUrl) : undefined;
    this.stripe = new Stripe(secretKey, {
      maxNetworkRetries: 2,
      timeout: 10_000,
      ...(api && {
        host: api.hostname,
        port: Number(api.port || (api.protocol === "https:" ? 443 : 80)),
        protocol: api.protocol === "https:" ? "https" : "http",
      }),
    });
  }

  async createPayment(payment: {
    paymentId: string;
    orderId: string;
    amountCents: number;
    currency: string;
  }) {
    const intent = await call(() =>
      this.stripe.paymentIntents.create(
        {
          amount: payment.amountCents,
          currency: payment.currency.toLowerCase(),
          automatic_payment_methods: { enabled: true },
          metadata: { paymentId: payment.paymentId, orderId: payment.orderId },
        },
        { idempotencyKey: `payment-${payment.paymentId}` },
      ),
    );
    return { reference: intent.id, clientSecret: intent.client_secret };
  }

  async cancelPayment(reference: string): Promise<void> {
    try {
      await this.stripe.paymentIntents.cancel(reference);
    } catch (error) {
      // Already succeeded or cancelled: a success is refunded when its webhook arrives.
      if (error instanceof Stripe.errors.StripeInvalidRequestError) return;
      throw unavailable(error);
    }
  }

  async refund({
    reference,
    refundId,
    amountCents,
  }: {
    reference: string;
    refundId: string;
    amountCents: number;
  }) {
    const refund = await call(() =>
      this.stripe.refunds.create(
        { payment_intent: reference, amount: amountCents, metadata: { refundId } },
        { idempotencyKey: `refund-${refundId}` },
      ),
    );
    return { reference: refund.id, status: refundStatus(refund.status) };
  }

  async refundStatus(reference: string): Promise<RefundStatus> {
    return refundStatus((await call(() => this.stripe.refunds.retrieve(reference))).status);
  }

  readWebhook(body: string, signature: string | undefined) {
    return readStripeWebhook(body, signature, this.webhookSecret);
  }
}

function refundStatus(status: string | null): RefundStatus {
  if (status === "succeeded") return "SUCCEEDED";
  if (status === "failed" || status === "canceled") return "FAILED";
  return "PENDING";
}

/** Stripe's answer, or the platform's problem for it: a refusal is a 409, an outage a 503. */
async function call<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (
      error instanceof Stripe.errors.StripeInvalidRequestError ||
      error instanceof Stripe.errors.StripeCardError
    ) {
      // Stripe's message stays with the cause (it can name ids and settings); the client gets the gist.
      throw Object.assign(new AppError("INVALID_TRANSITION", "The payment provider refused the request."), {
        cause: error,
      });
    }
    throw unavailable(error);
  }
}

const unavailable = (error: unknown) =>
  Object.assign(dependencyUnavailable("payment provider"), { cause: error });
