/** Wire schemas of the order API (validation and the OpenAPI document). */
import { OrderStatusSchema } from "@platform/events";
import { PageQuery } from "@platform/http";
import { t } from "elysia";

/** An order on the wire: the same schema order events carry it in. */
export { OrderSchema } from "@platform/events";

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
  status: t.Optional(OrderStatusSchema),
  userId: t.Optional(t.String({ format: "uuid" })),
  ...PageQuery,
});

/**
 * Any status is a valid request (ARCHITECTURE §2: a transition other than the lifecycle's is 409, not
 * 422); the route itself only ships and delivers.
 */
export const StatusBody = t.Object({ status: OrderStatusSchema });
