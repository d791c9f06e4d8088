/**
 * A payment provider behind one interface (ARCHITECTURE §13): `sandbox` (a local simulator) and
 * `stripe`. Both speak Stripe's webhook format, so one reader verifies and reads both. PayPal would
 * be a third implementation: an order created with `createPayment` (its approval link as the
 * checkout URL), captured on its webhook, refunded with `refund`, webhooks verified with its
 * verify-webhook-signature call inside `readWebhook`.
 */
import type { ProviderOutcome, RefundStatus } from "../domain/payment.js";

export type ProviderName = "sandbox" | "stripe";

/** A verified webhook that concerns one of this service's payments. */
export interface ProviderEvent {
  /** The provider's event id: a webhook delivered twice is applied once. */
  id: string;
  /** Ours, from the metadata the payment was created with: found even before its reference is stored. */
  paymentId: string;
  outcome: ProviderOutcome;
}

export interface PaymentProvider {
  readonly name: ProviderName;
  /** The provider's side of a payment, made once per payment id (the provider deduplicates on it). */
  createPayment(payment: {
    paymentId: string;
    orderId: string;
    amountCents: number;
    currency: string;
  }): Promise<{ reference: string; clientSecret: string | null }>;
  /** Calls off a payment that will not be made now (its order is gone), where the provider allows it. */
  cancelPayment(reference: string): Promise<void>;
  /** Gives money back, once per refund id. */
  refund(refund: {
    reference: string;
    refundId: string;
    amountCents: number;
  }): Promise<{ reference: string; status: RefundStatus }>;
  /** Where a refund the provider answered "pending" stands now. */
  refundStatus(reference: string): Promise<RefundStatus>;
  /**
   * Verifies a webhook's signature and reads it: a ProviderEvent, or undefined for an event this
   * service does not act on. A bad signature throws INVALID_SIGNATURE.
   */
  readWebhook(body: string, signature: string | undefined): Promise<ProviderEvent | undefined>;
}
