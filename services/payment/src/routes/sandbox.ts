/**
 * POST /payments/sandbox/{paymentId}/confirm (owner; only with PAYMENT_PROVIDER=sandbox): pays with
 * one of Stripe's test cards. The sandbox answers as Stripe does, with a signed webhook, which is
 * verified and applied like any provider's before this answers the payment as it now is.
 */
import { requireAuth } from "@platform/auth";
import { notFound } from "@platform/errors";
import { isUuid, problems, requestContext } from "@platform/http";
import { Elysia } from "elysia";
import { toPaymentView } from "../domain/payment.js";
import { findPayment, withDetails } from "../store/payment.store.js";
import { confirmWithCard, sandboxOf } from "../use-cases/sandbox-confirm.js";
import type { PaymentRouteDeps } from "./payments.js";
import { ConfirmBody, PaymentParams, PaymentViewSchema } from "./schemas.js";

export function sandboxRoutes(deps: PaymentRouteDeps) {
  return new Elysia({ tags: ["payments"] })
    .use(requestContext(deps.logger))
    .use(requireAuth(deps.verifier))
    .post(
      "/payments/sandbox/:paymentId/confirm",
      async ({ params, body, principal, requestId }) => {
        sandboxOf(deps);
        const payment = isUuid(params.paymentId) ? await findPayment(deps.db, params.paymentId) : undefined;
        if (!payment || payment.userId !== principal.userId) throw notFound("No such payment.");
        const paid = await confirmWithCard(deps, { payment, card: body.card, requestId });
        const [now] = await withDetails(deps.db, [paid]);
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
