/**
 * Cancels that come after the inventory let go of the reservation's record (it keeps a settled
 * reservation RESERVATION_RETENTION_SECONDS, one second here): a committed order's stock still comes
 * back, once; an order whose reservation expired unused owes nothing, and its Return task ends.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { eventually } from "@platform/testing";
import type { OrderView } from "../src/domain/order.js";
import { createOrderTestContext, type OrderTestContext } from "./test-context.js";

setDefaultTimeout(30_000);

let ctx: OrderTestContext;
beforeAll(async () => {
  ctx = await createOrderTestContext({ inventoryConfig: { RESERVATION_RETENTION_SECONDS: "1" } });
});
afterAll(() => ctx.close());

const tasksOf = async (orderId: string) =>
  ctx.db
    .selectFrom("reservationTask")
    .select(["action", "lastError"])
    .where("orderId", "=", orderId)
    .execute();

describe("a cancel after the reservation's record is gone", () => {
  test("a committed order cancelled later gives its stock back, once", async () => {
    const buyer = await ctx.customer();
    const sku = await ctx.product(10);
    const placed = await ctx.call<OrderView>("POST", "/orders", {
      token: buyer.token,
      body: { items: [{ sku, quantity: 3 }] },
    });
    expect(placed.status).toBe(201);
    await eventually("the Commit done", async () => (await tasksOf(placed.body.id)).length === 0);
    await Bun.sleep(2_000); // the inventory lets go of the committed reservation's record
    expect(await ctx.available(sku)).toBe(7);

    const cancelled = await ctx.call<OrderView>("POST", `/orders/${placed.body.id}/cancel`, {
      token: buyer.token,
    });
    expect(cancelled.status).toBe(200);
    await eventually("the stock back", async () => (await ctx.available(sku)) === 10);
    await eventually("the Return task done", async () => (await tasksOf(placed.body.id)).length === 0);
    await Bun.sleep(300);
    expect(await ctx.available(sku)).toBe(10);
  });
});
