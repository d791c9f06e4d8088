/**
 * Routes for other services, never exposed by the gateway:
 * POST /internal/orders/states answers the status of each order id (null: no such order), for
 * the inventory's reconciliation of reservations against the orders behind them.
 */
import { OrderStatusSchema } from "@platform/events";
import { Elysia, t } from "elysia";
import { type OrderDb, orderStates } from "../store/order.store.js";

export function internalRoutes({ db }: { db: OrderDb }) {
  return new Elysia({ tags: ["internal"] }).post(
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
