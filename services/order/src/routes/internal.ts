/**
 * Routes for other services, never exposed by the gateway:
 * POST /internal/orders/states answers the status of each order id (null: no such order), for
 * the inventory's reconciliation of reservations against the orders behind them.
 * GET /internal/orders/{id}/billing answers what a payment needs (status, total, owner), for the
 * payment service.
 */
import { notFound } from "@platform/errors";
import { OrderOwnerSchema, OrderStatusSchema } from "@platform/events";
import { Elysia, t } from "elysia";
import { findBilling, type OrderDb, orderStates } from "../store/order.store.js";

export function internalRoutes({ db }: { db: OrderDb }) {
  return new Elysia({ tags: ["internal"] })
    .get(
      "/internal/orders/:id/billing",
      async ({ params }) => {
        const billing = await findBilling(db, params.id);
        if (!billing) throw notFound("No such order.");
        return billing;
      },
      {
        params: t.Object({ id: t.String({ format: "uuid" }) }),
        response: {
          200: t.Object({
            orderId: t.String({ format: "uuid" }),
            status: OrderStatusSchema,
            totalCents: t.Integer(),
            currency: t.String(),
            owner: OrderOwnerSchema,
          }),
        },
        detail: { summary: "What a payment needs of an order (internal: the payment service)" },
      },
    )
    .post(
      "/internal/orders/states",
      async ({ body }) => {
        const found = await orderStates(db, body.ids);
        return { states: Object.fromEntries(body.ids.map((id) => [id, found.get(id) ?? null])) };
      },
      {
        body: t.Object({ ids: t.Array(t.String({ format: "uuid" }), { maxItems: 500 }) }),
        response: { 200: t.Object({ states: t.Record(t.String(), t.Nullable(OrderStatusSchema)) }) },
        detail: { summary: "Order statuses by id (internal: inventory reconciliation)" },
      },
    );
}
