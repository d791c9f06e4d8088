/**
 * Stripe's webhooks, verified with the official SDK (`constructEventAsync`: HMAC-SHA256 over
 * `timestamp.body`, within a tolerance of five minutes against replays) and read into what this
 * service acts on. The sandbox signs its webhooks the same way, so both pass through here. (The
 * SDK's build for Bun computes HMACs with Web Crypto, which has only the asynchronous calls.)
 */
import { AppError } from "@platform/errors";
import Stripe from "stripe";
import type { ProviderOutcome } from "../domain/payment.js";
import type { ProviderEvent } from "./provider.js";

export async function readStripeWebhook(
  body: string,
  signature: string | undefined,
  secret: string,
): Promise<ProviderEvent | undefined> {
  let event: Stripe.Event;
  try {
    event = await Stripe.webhooks.constructEventAsync(body, signature ?? "", secret);
  } catch {
    throw new AppError("INVALID_SIGNATURE", "The webhook's signature does not verify.");
  }
  const outcome = outcomeOf(event);
  const paymentId = paymentIdOf(event);
  return outcome && paymentId ? { id: event.id, paymentId, outcome } : undefined;
}

function outcomeOf(event: Stripe.Event): ProviderOutcome | undefined {
  switch (event.type) {
    case "payment_intent.succeeded": {
      const intent = event.data.object;
      return {
        kind: "succeeded",
        amountCents: intent.amount_received || intent.amount,
        currency: intent.currency.toUpperCase(),
      };
    }
    case "payment_intent.payment_failed":
      return {
        kind: "failed",
        message: event.data.object.last_payment_error?.message ?? "The payment was declined.",
      };
    case "payment_intent.requires_action":
      return { kind: "requires_action" };
    default:
      return undefined;
  }
}

function paymentIdOf(event: Stripe.Event): string | undefined {
  const object = event.data.object as { metadata?: Record<string, string> | null };
  return object.metadata?.paymentId;
}
