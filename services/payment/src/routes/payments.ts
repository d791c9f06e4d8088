/**
 * The payment API (through the gateway under /api): an owner starts paying their order, users read
 * their payments (admins all of them), an admin refunds an order.
 */
import { assertAdmin, requireAuth, type TokenVerifier } from "@platform/auth";
import { notFound } from "@platform/errors";
import { isUuid, keysetPage, PageOf, problems, requestContext } from "@platform/http";
import { Elysia } from "elysia";
import { type Payment, toPaymentView } from "../domain/payment.js";
import { listPayments } from "../store/payment.store.js";
import type { PaymentDeps } from "../use-cases/payment-deps.js";
import { refundOrder } from "../use-cases/refund-order.js";
import { startPayment } from "../use-cases/start-payment.js";
import { checkoutUrl } from "./checkout.js";
import {
  OrderParams,
  PaymentListQuery,
  PaymentViewSchema,
  RefundAcceptedSchema,
  RefundBody,
  StartedPaymentSchema,
} from "./schemas.js";

export interface PaymentRouteDeps extends PaymentDeps {
  verifier: TokenVerifier;
}

const started = (payment: Payment) => ({
  paymentId: payment.id,
  provider: payment.provider,
  status: payment.status,
  amountCents: payment.amountCents,
  currency: payment.currency,
  ...(payment.clientSecret ? { clientSecret: payment.clientSecret } : {}),
  ...(payment.provider === "sandbox" && payment.clientSecret ? { checkoutUrl: checkoutUrl(payment) } : {}),
});

export function paymentRoutes(deps: PaymentRouteDeps) {
  return new Elysia({ tags: ["payments"] })
    .use(requestContext(deps.logger))
    .use(requireAuth(deps.verifier))
    .post(
      "/orders/:id/payment",
      async ({ params, principal, requestId, set }) => {
        if (!isUuid(params.id)) throw notFound("No such order.");
        const { payment, created } = await startPayment(deps, { orderId: params.id, principal, requestId });
        set.status = created ? 201 : 200;
        return started(payment);
      },
      {
        params: OrderParams,
        response: { 200: StartedPaymentSchema, 201: StartedPaymentSchema },
        detail: {
          summary: "Start paying an order that is PENDING_PAYMENT (owner); again, the same payment",
          ...problems("INVALID_TRANSITION"),
        },
      },
    )
    .get(
      "/payments",
      async ({ query, principal }) =>
        keysetPage({
          cursor: query.cursor,
          limit: query.limit,
          isPosition: isUuid,
          fetch: (beforeId, limit) =>
            listPayments(deps.db, {
              userId: principal.role === "admin" ? undefined : principal.userId,
              orderId: query.orderId,
              status: query.status,
              beforeId,
              limit,
            }),
          positionOf: (row) => row.payment.id,
          view: (row) => toPaymentView(row.payment, row.attempts, row.refunds),
        }),
      {
        query: PaymentListQuery,
        response: { 200: PageOf(PaymentViewSchema) },
        detail: { summary: "Payments with their attempts and refunds, newest first (own; an admin all)" },
      },
    )
    .post(
      "/orders/:id/refund",
      async ({ params, body, principal, requestId, set }) => {
        assertAdmin(principal);
        if (!isUuid(params.id)) throw notFound("No such order.");
        const { payment, refund } = await refundOrder(deps, {
          orderId: params.id,
          reason: body.reason,
          requestId,
        });
        set.status = 202;
        return {
          paymentId: payment.id,
          refund: {
            id: refund.id,
            amountCents: refund.amountCents,
            reason: refund.reason,
            status: refund.status,
          },
        };
      },
      {
        params: OrderParams,
        body: RefundBody,
        response: { 202: RefundAcceptedSchema },
        detail: { summary: "Refund an order's payment in full (admin)", ...problems("INVALID_TRANSITION") },
      },
    );
}
