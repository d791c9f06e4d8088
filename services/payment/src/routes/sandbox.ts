/**
 * POST /payments/sandbox/{paymentId}/confirm (owner; only with PAYMENT_PROVIDER=sandbox): pays with
 * one of Stripe's test cards. The sandbox answers as Stripe does, with a signed webhook, which is
 * verified and applied like any provider's before this answers the payment as it now is.
 */
import { requireAuth } from "@platform/auth";
import { AppError, notFound } from "@platform/errors";
import { isUuid, problems, requestContext } from "@platform/http";
import { Elysia } from "elysia";
import { isOpen, toPaymentView } from "../domain/payment.js";
import { SandboxProvider } from "../providers/sandbox.js";
import { findPayment, withDetails } from "../store/payment.store.js";
import { applyWebhook } from "../use-cases/apply-webhook.js";
import type { PaymentRouteDeps } from "./payments.js";
import { ConfirmBody, PaymentParams, PaymentViewSchema } from "./schemas.js";

export function sandboxRoutes(deps: PaymentRouteDeps) {
  return new Elysia({ tags: ["payments"] })
    .use(requestContext(deps.logger))
    .use(requireAuth(deps.verifier))
    .post(
      "/payments/sandbox/:paymentId/confirm",
      async ({ params, body, principal, requestId }) => {
        const sandbox = deps.provider instanceof SandboxProvider ? deps.provider : undefined;
        if (!sandbox) throw notFound("The sandbox is not this platform's payment provider.");
        const payment = isUuid(params.paymentId) ? await findPayment(deps.db, params.paymentId) : undefined;
        if (!payment || payment.userId !== principal.userId) throw notFound("No such payment.");
        if (!isOpen(payment) || payment.reference === null) {
          throw new AppError("INVALID_TRANSITION", `A payment that is ${payment.status} takes no card.`, {
            paymentStatus: payment.status,
          });
        }
        const charge = await sandbox.charge({ ...payment, reference: payment.reference }, body.card);
        await applyWebhook(deps, { body: charge.body, signature: charge.signature, requestId });
        const [now] = await withDetails(deps.db, [(await findPayment(deps.db, payment.id)) ?? payment]);
        if (!now) throw notFound("No such payment.");
        return toPaymentView(now.payment, now.attempts, now.refunds);
      },
      {
        params: PaymentParams,
        body: ConfirmBody,
        response: { 200: PaymentViewSchema },
        detail: {
          summary: "Pay with a Stripe test card (sandbox provider only; owner)",
          ...problems("INVALID_TRANSITION"),
        },
      },
    );
}
