/**
 * A card presented to the sandbox for an open payment (the confirm route, the checkout page): the
 * sandbox answers as Stripe does, with a signed webhook, which is verified and applied like any
 * provider's. Resolves to the payment as it now is.
 */
import { AppError, notFound } from "@platform/errors";
import { isOpen, type Payment } from "../domain/payment.js";
import { SandboxProvider } from "../providers/sandbox.js";
import { findPayment } from "../store/payment.store.js";
import { applyWebhook } from "./apply-webhook.js";
import type { PaymentDeps } from "./payment-deps.js";
import { assertOrderAwaitsPayment } from "./start-payment.js";

/** The sandbox, or 404 when it is not this platform's provider. */
export function sandboxOf(deps: PaymentDeps): SandboxProvider {
  if (deps.provider instanceof SandboxProvider) return deps.provider;
  throw notFound("The sandbox is not this platform's payment provider.");
}

export async function confirmWithCard(
  deps: PaymentDeps,
  { payment, card, requestId }: { payment: Payment; card: string; requestId: string },
): Promise<Payment> {
  const sandbox = sandboxOf(deps);
  if (!isOpen(payment) || payment.reference === null) {
    throw new AppError("INVALID_TRANSITION", `A payment that is ${payment.status} takes no card.`, {
      paymentStatus: payment.status,
    });
  }
  await assertOrderAwaitsPayment(deps, payment, requestId);
  const charge = await sandbox.charge({ ...payment, reference: payment.reference }, card);
  await applyWebhook(deps, { body: charge.body, signature: charge.signature, requestId });
  return (await findPayment(deps.db, payment.id)) ?? payment;
}
