/**
 * Orders with a payment provider (ARCHITECTURE §13), from the order service's side: placed
 * PENDING_PAYMENT with their stock reserved and the Commit not yet owed; confirmed and committed by
 * payment.succeeded, cancelled and released by payment.failed or by the end of the payment window;
 * redelivered outcomes change nothing. The payment events are written to the payments stream as the
 * payment service's relay writes them.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createEvent, fromStreamFields, type OrderView, publishEvent } from "@platform/events";
import { eventually } from "@platform/testing";
import { PAYMENT_WINDOW_REASON } from "../src/tasks/reservation-tasks.js";
import { createOrderTestContext, type OrderTestContext } from "./test-context.js";

setDefaultTimeout(30_000);

let ctx: OrderTestContext;
beforeAll(async () => {
  ctx = await createOrderTestContext({
    // No cached users: a test changes a buyer's channels between the order and its payment.
    orderConfig: {
      PAYMENT_PROVIDER: "sandbox",
      PAYMENT_WINDOW_SECONDS: "2",
      CLAIM_IDLE_MS: "500",
      USER_CACHE_TTL_MS: "0",
    },
  });
});
afterAll(() => ctx.close());

async function pendingOrder(quantity = 2) {
  const buyer = await ctx.customer();
  const sku = await ctx.product(10, 1500);
  const res = await ctx.call<OrderView>("POST", "/orders", {
    token: buyer.token,
    body: { items: [{ sku, quantity }] },
  });
  if (res.status !== 201) throw new Error(`order failed: ${res.status}`);
  return { buyer, sku, order: res.body };
}

const paymentOf = (order: OrderView, status: "SUCCEEDED" | "FAILED", amountCents = order.totalCents) => ({
  id: Bun.randomUUIDv7(),
  orderId: order.id,
  userId: order.userId,
  provider: "sandbox",
  status,
  amountCents,
  refundedCents: 0,
  currency: order.currency,
});
const owner = (order: OrderView) => ({ id: order.userId, email: "buyer@example.com", name: "Buyer" });

const publish = (event: Parameters<typeof publishEvent>[2]) =>
  publishEvent(ctx.redis, ctx.config.PAYMENTS_STREAM, event);

const readOrder = async (id: string) =>
  (await ctx.call<OrderView>("GET", `/orders/${id}`, { token: ctx.adminToken })).body;

const tasksOf = async (orderId: string) =>
  (await ctx.db.selectFrom("reservationTask").select("action").where("orderId", "=", orderId).execute())
    .map((task) => task.action)
    .sort();

const statusEvents = async (orderId: string) =>
  (await ctx.redis.xrange(ctx.config.EVENTS_STREAM, "-", "+"))
    .map(([, fields]) => fromStreamFields(fields))
    .filter(
      (e) => e.type === "order.status.updated" && (e.payload as { orderId: string }).orderId === orderId,
    )
    .map(
      (e) =>
        e.payload as {
          from: string;
          to: string;
          reason?: string;
          user: { notificationPreferences?: Record<string, boolean> };
        },
    );

describe("orders with a payment provider", () => {
  test("an order with nothing to pay (free products) is confirmed at once and its stock committed: no provider takes 0", async () => {
    const buyer = await ctx.customer();
    const sku = await ctx.product(10, 0);
    const res = await ctx.call<OrderView>("POST", "/orders", {
      token: buyer.token,
      body: { items: [{ sku, quantity: 3 }] },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "CONFIRMED", totalCents: 0 });
    await eventually("its Commit done", async () => (await tasksOf(res.body.id)).length === 0);
    expect(await ctx.available(sku)).toBe(7);
  });

  test("an order waits PENDING_PAYMENT with its stock reserved; payment.succeeded confirms it and commits the stock, once", async () => {
    const { sku, order } = await pendingOrder(2);
    expect(order.status).toBe("PENDING_PAYMENT");
    expect(order.statusHistory.map((h) => h.status)).toEqual(["PENDING_PAYMENT"]);
    expect(await ctx.available(sku)).toBe(8);
    expect(await tasksOf(order.id)).toEqual(["expire"]);

    const succeeded = createEvent(
      "payment.succeeded",
      { payment: paymentOf(order, "SUCCEEDED"), user: owner(order) },
      { requestId: "req-paid" },
    );
    await publish(succeeded);
    await publish(succeeded); // a redelivery
    await eventually("the order to be confirmed and its Commit done", async () => {
      const now = await readOrder(order.id);
      return now.status === "CONFIRMED" && (await tasksOf(order.id)).length === 0;
    });
    expect((await readOrder(order.id)).statusHistory.map((h) => h.status)).toEqual([
      "PENDING_PAYMENT",
      "CONFIRMED",
    ]);
    expect(await ctx.available(sku)).toBe(8);
    await eventually("one order.status.updated", async () => (await statusEvents(order.id)).length === 1);
    expect(await statusEvents(order.id)).toEqual([
      expect.objectContaining({ from: "PENDING_PAYMENT", to: "CONFIRMED" }),
    ]);
    // Past the window the order stays confirmed: the end of the window was dropped with the payment.
    await Bun.sleep(2_500);
    expect((await readOrder(order.id)).status).toBe("CONFIRMED");
  });

  test("the event of a payment's outcome carries the owner's channels as they are now", async () => {
    const before = { email: true, sms: false, webhook: false };
    const now = { email: false, sms: false, webhook: true }; // switched email off after ordering
    const buyer = await ctx.customer({ notificationPreferences: before });
    const sku = await ctx.product(10, 1500);
    const paid = (
      await ctx.call<OrderView>("POST", "/orders", {
        token: buyer.token,
        body: { items: [{ sku, quantity: 1 }] },
      })
    ).body;
    await ctx.userApi("PUT", "/users/me/notification-preferences", { token: buyer.token, body: now });
    await publish(
      createEvent(
        "payment.succeeded",
        { payment: paymentOf(paid, "SUCCEEDED"), user: owner(paid) },
        { requestId: "req-now" },
      ),
    );
    const [event] = await eventually("its event", async () => {
      const found = await statusEvents(paid.id);
      return found.length === 1 ? found : undefined;
    });
    expect(event?.user.notificationPreferences).toEqual(now);
  });

  test("payment.failed cancels the order with the reason and releases its stock", async () => {
    const { sku, order } = await pendingOrder(3);
    expect(await ctx.available(sku)).toBe(7);
    await publish(
      createEvent(
        "payment.failed",
        { payment: paymentOf(order, "FAILED"), user: owner(order), reason: "Your card was declined." },
        { requestId: "req-declined" },
      ),
    );
    await eventually(
      "the order to be cancelled",
      async () => (await readOrder(order.id)).status === "CANCELLED",
    );
    await eventually("the stock to come back", async () => (await ctx.available(sku)) === 10);
    await eventually("its event", async () => (await statusEvents(order.id)).length === 1);
    expect((await statusEvents(order.id))[0]).toMatchObject({
      from: "PENDING_PAYMENT",
      to: "CANCELLED",
      reason: "The payment failed: Your card was declined.",
    });
  });

  test("an order not paid within its window is cancelled and its stock released; a payment after that changes nothing", async () => {
    const { sku, order } = await pendingOrder(4);
    await eventually("the window to end", async () => (await readOrder(order.id)).status === "CANCELLED", {
      timeoutMs: 10_000,
    });
    await eventually("the stock to come back", async () => (await ctx.available(sku)) === 10);
    await eventually("its event", async () => (await statusEvents(order.id)).length === 1);
    expect((await statusEvents(order.id))[0]).toMatchObject({
      to: "CANCELLED",
      reason: PAYMENT_WINDOW_REASON,
    });

    await publish(
      createEvent(
        "payment.succeeded",
        { payment: paymentOf(order, "SUCCEEDED"), user: owner(order) },
        { requestId: "req-late" },
      ),
    );
    await Bun.sleep(500);
    expect((await readOrder(order.id)).status).toBe("CANCELLED");
    expect(await ctx.available(sku)).toBe(10);
  });

  test("a payment whose amount differs from the order's total does not confirm it", async () => {
    const { order } = await pendingOrder(1);
    await publish(
      createEvent(
        "payment.succeeded",
        { payment: paymentOf(order, "SUCCEEDED", order.totalCents - 1), user: owner(order) },
        { requestId: "req-short" },
      ),
    );
    await Bun.sleep(500);
    expect((await readOrder(order.id)).status).toBe("PENDING_PAYMENT");
  });

  test("the owner cancels an unpaid order: its stock comes back, the window's end is dropped", async () => {
    const { buyer, sku, order } = await pendingOrder(2);
    const res = await ctx.call<OrderView>("POST", `/orders/${order.id}/cancel`, { token: buyer.token });
    expect([res.status, res.body.status]).toEqual([200, "CANCELLED"]);
    await eventually("the stock to come back", async () => (await ctx.available(sku)) === 10);
    await eventually("no task left", async () => (await tasksOf(order.id)).length === 0);
  });

  test("the billing route tells the payment service what an order owes and who owes it", async () => {
    const { buyer, order } = await pendingOrder(2);
    const res = await ctx.call<Record<string, unknown>>("GET", `/internal/orders/${order.id}/billing`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      orderId: order.id,
      status: "PENDING_PAYMENT",
      totalCents: 3000,
      currency: order.currency,
      owner: { id: buyer.id, email: buyer.email, name: "Buyer" },
    });
    const missing = await ctx.call("GET", `/internal/orders/${Bun.randomUUIDv7()}/billing`);
    expect(missing.status).toBe(404);
  });
});
