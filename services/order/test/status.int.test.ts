/** The order lifecycle: cancel, ship, deliver; races; events with versions (ARCHITECTURE §2). */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { fromStreamFields } from "@platform/events";
import type { Problem } from "@platform/http";
import { eventually } from "@platform/testing";
import type { OrderView } from "../src/domain/order.js";
import { createOrderTestContext, type OrderTestContext } from "./test-context.js";

// These tests wait on servers, streams and retries; the default 5 s is too tight on a busy 2-core box.
setDefaultTimeout(30_000);

let ctx: OrderTestContext;
beforeAll(async () => {
  // No user cache: a profile change shows in the next status event at once.
  ctx = await createOrderTestContext({ orderConfig: { USER_CACHE_TTL_MS: "0" } });
});
afterAll(() => ctx.close());

async function placed(quantity = 2, profile: Parameters<OrderTestContext["customer"]>[0] = {}) {
  const buyer = await ctx.customer(profile);
  const sku = await ctx.product(10);
  const res = await ctx.call<OrderView>("POST", "/orders", {
    token: buyer.token,
    body: { items: [{ sku, quantity }] },
  });
  if (res.status !== 201) throw new Error(`order failed: ${res.status}`);
  return { buyer, sku, order: res.body };
}

const statusEvents = async (orderId: string) =>
  (await ctx.redis.xrange(ctx.config.EVENTS_STREAM, "-", "+"))
    .map(([, fields]) => fromStreamFields(fields))
    .filter(
      (e) => e.type === "order.status.updated" && (e.payload as { orderId: string }).orderId === orderId,
    );

describe("order status", () => {
  test("cancel returns the stock; a second cancel is 409 INVALID_TRANSITION", async () => {
    const { buyer, sku, order } = await placed(3);
    expect(await ctx.available(sku)).toBe(7);
    const cancelled = await ctx.call<OrderView>("POST", `/orders/${order.id}/cancel`, { token: buyer.token });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe("CANCELLED");
    expect(cancelled.body.statusHistory.map((h) => h.status)).toEqual(["CONFIRMED", "CANCELLED"]);
    await eventually("the stock to come back", async () => (await ctx.available(sku)) === 10);

    const again = await ctx.call<Problem>("POST", `/orders/${order.id}/cancel`, { token: buyer.token });
    expect([again.status, again.body.code]).toEqual([409, "INVALID_TRANSITION"]);
    expect(await ctx.available(sku)).toBe(10);
  });

  test("an admin may cancel through the status route too: the same Return and event as /cancel", async () => {
    const { sku, order } = await placed(3);
    const cancelled = await ctx.call<OrderView>("POST", `/orders/${order.id}/status`, {
      token: ctx.adminToken,
      body: { status: "CANCELLED" },
    });
    expect([cancelled.status, cancelled.body.status]).toEqual([200, "CANCELLED"]);
    await eventually("the stock to come back", async () => (await ctx.available(sku)) === 10);
    const events = await eventually("the cancel's event", async () => {
      const found = await statusEvents(order.id);
      return found.length === 1 ? found : undefined;
    });
    expect(events[0]?.payload).toEqual(expect.objectContaining({ from: "CONFIRMED", to: "CANCELLED" }));
  });

  test("an admin ships then delivers; each change is an order.status.updated event with from, to and version", async () => {
    const notificationPreferences = { email: false, sms: true, webhook: false };
    const { buyer, order } = await placed(2, { phone: "+4915112345678", notificationPreferences });
    const asUser = await ctx.call<Problem>("POST", `/orders/${order.id}/status`, {
      token: buyer.token,
      body: { status: "SHIPPED" },
    });
    expect([asUser.status, asUser.body.code]).toEqual([403, "FORBIDDEN"]);
    const skipping = await ctx.call<Problem>("POST", `/orders/${order.id}/status`, {
      token: ctx.adminToken,
      body: { status: "DELIVERED" },
    });
    expect([skipping.status, skipping.body.code]).toEqual([409, "INVALID_TRANSITION"]);

    const shipped = await ctx.call<OrderView>("POST", `/orders/${order.id}/status`, {
      token: ctx.adminToken,
      headers: { "x-request-id": "req-ship" },
      body: { status: "SHIPPED" },
    });
    expect(shipped.body.status).toBe("SHIPPED");
    // The buyer changes their phone and switches text messages off before the order arrives.
    const changed = { email: true, sms: false, webhook: false };
    await ctx.userApi("PATCH", "/users/me", { token: buyer.token, body: { phone: "+4915199999999" } });
    await ctx.userApi("PUT", "/users/me/notification-preferences", { token: buyer.token, body: changed });
    const delivered = await ctx.call<OrderView>("POST", `/orders/${order.id}/status`, {
      token: ctx.adminToken,
      body: { status: "DELIVERED" },
    });
    expect(delivered.body.statusHistory.map((h) => h.status)).toEqual(["CONFIRMED", "SHIPPED", "DELIVERED"]);
    const lateCancel = await ctx.call<Problem>("POST", `/orders/${order.id}/cancel`, { token: buyer.token });
    expect([lateCancel.status, lateCancel.body.code]).toEqual([409, "INVALID_TRANSITION"]);
    const badStatus = await ctx.call<Problem>("POST", `/orders/${order.id}/status`, {
      token: ctx.adminToken,
      body: { status: "LOST" },
    });
    expect(badStatus.status).toBe(422);
    for (const status of ["CONFIRMED", "CANCELLED", "PENDING_PAYMENT"]) {
      const other = await ctx.call<Problem>("POST", `/orders/${order.id}/status`, {
        token: ctx.adminToken,
        body: { status },
      });
      expect([status, other.status, other.body.code]).toEqual([status, 409, "INVALID_TRANSITION"]);
    }
    const missing = await ctx.call<Problem>("POST", `/orders/${Bun.randomUUIDv7()}/status`, {
      token: ctx.adminToken,
      body: { status: "CONFIRMED" },
    });
    expect(missing.status).toBe(404); // no order: 404 whatever is asked of it

    const events = await eventually("two status events", async () => {
      const found = await statusEvents(order.id);
      return found.length === 2 ? found : undefined;
    });
    expect(events.map((e) => [e.payload, e.requestId === "req-ship"])).toEqual([
      [
        expect.objectContaining({
          orderId: order.id,
          userId: buyer.id,
          from: "CONFIRMED",
          to: "SHIPPED",
          version: 2,
          // The owner's contact details and channel choices, as they were at this change.
          user: {
            id: buyer.id,
            email: buyer.email,
            name: "Buyer",
            phone: "+4915112345678",
            notificationPreferences,
          },
        }),
        true,
      ],
      [
        expect.objectContaining({
          from: "SHIPPED",
          to: "DELIVERED",
          version: 3,
          // Changed since the order was placed: the event follows the owner as they are now.
          user: {
            id: buyer.id,
            email: buyer.email,
            name: "Buyer",
            phone: "+4915199999999",
            notificationPreferences: changed,
          },
        }),
        false,
      ],
    ]);
  });

  test("a cancel racing a ship: exactly one wins", async () => {
    for (let round = 0; round < 5; round++) {
      const { buyer, sku, order } = await placed(4);
      const [cancel, ship] = await Promise.all([
        ctx.call<OrderView>("POST", `/orders/${order.id}/cancel`, { token: buyer.token }),
        ctx.call<OrderView>("POST", `/orders/${order.id}/status`, {
          token: ctx.adminToken,
          body: { status: "SHIPPED" },
        }),
      ]);
      expect([cancel.status, ship.status].sort()).toEqual([200, 409]);
      const final = await ctx.call<OrderView>("GET", `/orders/${order.id}`, { token: buyer.token });
      expect(final.body.statusHistory).toHaveLength(2);
      const expectedStock = cancel.status === 200 ? 10 : 6;
      await eventually("stock to match the winner", async () => (await ctx.available(sku)) === expectedStock);
    }
  });

  test("only the owner or an admin may cancel; anyone else gets 404", async () => {
    const { order } = await placed();
    const stranger = await ctx.customer();
    const res = await ctx.call<Problem>("POST", `/orders/${order.id}/cancel`, { token: stranger.token });
    expect([res.status, res.body.code]).toEqual([404, "NOT_FOUND"]);
    const byAdmin = await ctx.call<OrderView>("POST", `/orders/${order.id}/cancel`, {
      token: ctx.adminToken,
    });
    expect(byAdmin.body.status).toBe("CANCELLED");
  });

  test("list filters by status", async () => {
    const { buyer, sku, order } = await placed();
    const second = await ctx.call<OrderView>("POST", "/orders", {
      token: buyer.token,
      body: { items: [{ sku, quantity: 1 }] },
    });
    await ctx.call("POST", `/orders/${order.id}/cancel`, { token: buyer.token });
    const cancelled = await ctx.call<{ items: OrderView[] }>("GET", "/orders?status=CANCELLED", {
      token: buyer.token,
    });
    expect(cancelled.body.items.map((o) => o.id)).toEqual([order.id]);
    const confirmed = await ctx.call<{ items: OrderView[] }>("GET", "/orders?status=CONFIRMED", {
      token: buyer.token,
    });
    expect(confirmed.body.items.map((o) => o.id)).toEqual([second.body.id]);
  });
});

describe("POST /internal/orders/states", () => {
  test("answers each order's status, and null for an id that is no order", async () => {
    const { order } = await placed();
    const missing = Bun.randomUUIDv7();
    const res = await ctx.call<{ states: Record<string, string | null> }>("POST", "/internal/orders/states", {
      body: { ids: [order.id, missing] },
    });
    expect(res.body.states).toEqual({ [order.id]: "CONFIRMED", [missing]: null });
    const bad = await ctx.call("POST", "/internal/orders/states", { body: { ids: ["not-a-uuid"] } });
    expect(bad.status).toBe(422);
  });
});
