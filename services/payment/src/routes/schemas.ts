/** Wire schemas of the payment API (validation and the OpenAPI document). */
import { PaymentStatusSchema } from "@platform/events";
import { PageQuery } from "@platform/http";
import { t } from "elysia";

export const OrderParams = t.Object({ id: t.String({ maxLength: 64 }) });
export const PaymentParams = t.Object({ paymentId: t.String({ maxLength: 64 }) });
export const ProviderParams = t.Object({ provider: t.String({ maxLength: 32 }) });

/** What POST /orders/{id}/payment answers: enough for a browser to pay. */
export const StartedPaymentSchema = t.Object({
  paymentId: t.String({ format: "uuid" }),
  provider: t.String(),
  status: PaymentStatusSchema,
  amountCents: t.Integer(),
  currency: t.String(),
  /** For Stripe.js (`stripe`), or what opens the sandbox's checkout page. */
  clientSecret: t.Optional(t.String()),
  /** The sandbox's checkout page, on the public API (relative to the gateway). */
  checkoutUrl: t.Optional(t.String()),
});

export const PaymentViewSchema = t.Object({
  id: t.String({ format: "uuid" }),
  orderId: t.String({ format: "uuid" }),
  userId: t.String({ format: "uuid" }),
  provider: t.String(),
  status: PaymentStatusSchema,
  amountCents: t.Integer(),
  refundedCents: t.Integer(),
  currency: t.String(),
  createdAt: t.String({ format: "date-time" }),
  updatedAt: t.String({ format: "date-time" }),
  attempts: t.Array(
    t.Object({
      outcome: t.Union([
        t.Literal("SUCCEEDED"),
        t.Literal("DECLINED"),
        t.Literal("REQUIRES_ACTION"),
        t.Literal("MISMATCH"),
      ]),
      message: t.Nullable(t.String()),
      at: t.String({ format: "date-time" }),
    }),
  ),
  refunds: t.Array(
    t.Object({
      id: t.String({ format: "uuid" }),
      amountCents: t.Integer(),
      reason: t.String(),
      status: t.Union([t.Literal("PENDING"), t.Literal("SUCCEEDED"), t.Literal("FAILED")]),
      createdAt: t.String({ format: "date-time" }),
    }),
  ),
});

export const PaymentListQuery = t.Object({
  orderId: t.Optional(t.String({ format: "uuid" })),
  status: t.Optional(PaymentStatusSchema),
  ...PageQuery,
});

export const ConfirmBody = t.Object({
  /** One of Stripe's test card numbers (spaces and dashes allowed). */
  card: t.String({ minLength: 12, maxLength: 23, pattern: "^[0-9 -]+$" }),
});

export const RefundBody = t.Object({
  reason: t.Optional(t.String({ minLength: 1, maxLength: 200 })),
});

export const RefundAcceptedSchema = t.Object({
  paymentId: t.String({ format: "uuid" }),
  refund: t.Object({
    id: t.String({ format: "uuid" }),
    amountCents: t.Integer(),
    reason: t.String(),
    status: t.Union([t.Literal("PENDING"), t.Literal("SUCCEEDED"), t.Literal("FAILED")]),
  }),
});
