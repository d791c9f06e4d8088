/** Wire schemas of the order API (validation and the OpenAPI document). */
import { t } from "elysia";

const Status = t.Union([
  t.Literal("CONFIRMED"),
  t.Literal("SHIPPED"),
  t.Literal("DELIVERED"),
  t.Literal("CANCELLED"),
]);

export const OrderSchema = t.Object({
  id: t.String({ format: "uuid" }),
  userId: t.String({ format: "uuid" }),
  status: Status,
  items: t.Array(
    t.Object({
      sku: t.String(),
      name: t.String(),
      unitPriceCents: t.Integer(),
      quantity: t.Integer(),
      subtotalCents: t.Integer(),
    }),
  ),
  totalCents: t.Integer(),
  currency: t.String(),
  createdAt: t.String({ format: "date-time" }),
  updatedAt: t.String({ format: "date-time" }),
  statusHistory: t.Array(t.Object({ status: Status, at: t.String({ format: "date-time" }) })),
});

export const PlaceOrderBody = t.Object({
  items: t.Array(
    t.Object({
      sku: t.String({ pattern: "^[A-Z0-9][A-Z0-9-]{1,63}$" }),
      quantity: t.Integer({ minimum: 1, maximum: 10_000 }),
    }),
    { minItems: 1, maxItems: 100 },
  ),
});

export const IdempotencyHeaders = t.Object({
  "idempotency-key": t.Optional(t.String({ minLength: 1, maxLength: 255, pattern: "^[\\x21-\\x7E]+$" })),
});

export const OrderParams = t.Object({ id: t.String({ maxLength: 64 }) });

export const OrderListQuery = t.Object({
  status: t.Optional(Status),
  userId: t.Optional(t.String({ format: "uuid" })),
  limit: t.Integer({ minimum: 1, maximum: 100, default: 20 }),
  cursor: t.Optional(t.String({ maxLength: 100 })),
});

export const StatusBody = t.Object({ status: t.Union([t.Literal("SHIPPED"), t.Literal("DELIVERED")]) });
