/**
 * The sandbox's checkout page (PAYMENT_PROVIDER=sandbox only), the `checkoutUrl` a started payment
 * answers: GET /payments/sandbox/{paymentId}/checkout?client_secret=… shows the amount and a card
 * form; posting it pays with the card as the confirm route does. No token: like Stripe's hosted
 * pages, the payment's client secret (unguessable, in the link) is what opens it. HTML, so it is
 * left out of the OpenAPI document.
 */
import { timingSafeEqual } from "node:crypto";
import { AppError, notFound } from "@platform/errors";
import { isUuid, requestContext } from "@platform/http";
import { Elysia, t } from "elysia";
import type { Payment } from "../domain/payment.js";
import { findPayment, withDetails } from "../store/payment.store.js";
import type { PaymentDeps } from "../use-cases/payment-deps.js";
import { confirmWithCard, sandboxOf } from "../use-cases/sandbox-confirm.js";
import { checkoutPage } from "./checkout-page.js";
import { PaymentParams } from "./schemas.js";

/** Where a browser checks out a sandbox payment, on the public API. */
export const checkoutUrl = (payment: Pick<Payment, "id" | "clientSecret">) =>
  `/api/payments/sandbox/${payment.id}/checkout?client_secret=${encodeURIComponent(payment.clientSecret ?? "")}`;

const html = (body: string, status = 200) =>
  new Response(body, { status, headers: { "content-type": "text/html; charset=utf-8" } });

/** Compared in constant time, as bytes: a string of the same length in characters may not be. */
function sameSecret(given: string, expected: string | null): boolean {
  if (expected === null) return false;
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}

export function checkoutRoutes(deps: PaymentDeps) {
  /** The payment the link opens, or 404 (as for a payment that does not exist) for a wrong secret. */
  async function opened(paymentId: string, secret: string): Promise<Payment> {
    sandboxOf(deps);
    const payment = isUuid(paymentId) ? await findPayment(deps.db, paymentId) : undefined;
    if (!payment || !sameSecret(secret, payment.clientSecret)) throw notFound("No such payment.");
    return payment;
  }

  return new Elysia({ tags: ["payments"] })
    .use(requestContext(deps.logger))
    .get(
      "/payments/sandbox/:paymentId/checkout",
      async ({ params, query }) => {
        const payment = await opened(params.paymentId, query.client_secret);
        return html(checkoutPage(payment, query.client_secret));
      },
      {
        params: PaymentParams,
        query: t.Object({ client_secret: t.String({ maxLength: 200 }) }),
        detail: { hide: true },
      },
    )
    .post(
      "/payments/sandbox/:paymentId/checkout",
      async ({ params, body, requestId }) => {
        const payment = await opened(params.paymentId, body.client_secret);
        try {
          const now = await confirmWithCard(deps, { payment, card: body.card, requestId });
          const [details] = await withDetails(deps.db, [now]);
          const last = details?.attempts.at(-1);
          return html(
            checkoutPage(
              now,
              body.client_secret,
              last?.outcome === "DECLINED" ? (last.message ?? undefined) : undefined,
            ),
          );
        } catch (error) {
          // A card that is not a test card, a payment that is over, the order service away: said on
          // the page, not as JSON (a person is looking at it).
          if (!(error instanceof AppError)) throw error;
          const status = error.status >= 500 ? error.status : 200;
          return html(checkoutPage(payment, body.client_secret, error.message), status);
        }
      },
      {
        params: PaymentParams,
        body: t.Object({ client_secret: t.String({ maxLength: 200 }), card: t.String({ maxLength: 40 }) }),
        detail: { hide: true },
      },
    );
}
