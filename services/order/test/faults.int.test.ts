/**
 * Faults while orders are placed: the inventory's Redis stops; the event stream cannot be written;
 * and the request id's way through every service. Nothing may be lost or published twice.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { fromStreamFields } from "@platform/events";
import type { Problem } from "@platform/http";
import { unpublishedCount } from "@platform/outbox";
import { eventually, OwnRedis } from "@platform/testing";
import { sql } from "kysely";
import type { OrderView } from "../src/domain/order.js";
import { createOrderTestContext, type OrderTestContext } from "./test-context.js";

// These tests wait on servers, streams and retries; the default 5 s is too tight on a busy 2-core box.
setDefaultTimeout(30_000);

let ctx: OrderTestContext;
let ownRedis: OwnRedis;

beforeAll(async () => {
  ownRedis = await OwnRedis.create();
  await ownRedis.start();
  ctx = await createOrderTestContext({
    inventoryRedisUrl: ownRedis.url,
    orderConfig: {
      BREAKER_RESET_MS: "500",
      BREAKER_VOLUME: "3",
      INVENTORY_RETRIES: "1",
      INVENTORY_DEADLINE_MS: "1500",
    },
  });
});
afterAll(async () => {
  await ctx.close();
  await ownRedis.remove();
});

describe("faults", () => {
  test("with the inventory's Redis stopped, orders fail cleanly with 503 and leave nothing; they work again once it is back", async () => {
    const buyer = await ctx.customer();
    const sku = await ctx.product(10);
    const refusedBefore = await ctx.metrics();
    await ownRedis.stop();
    for (let i = 0; i < 5; i++) {
      const res = await ctx.call<Problem>("POST", "/orders", {
        token: buyer.token,
        body: { items: [{ sku, quantity: 1 }] },
      });
      expect([res.status, res.body.code]).toEqual([503, "DEPENDENCY_UNAVAILABLE"]);
    }
    // The breaker opened after repeated failures: the order service says so on /ready.
    const ready = await ctx.app.handle(new Request("http://order.test/ready"));
    expect(ready.status).toBe(503);
    // And on /metrics: the breaker open (2), the five refusals counted by their code.
    const refusedAfter = await ctx.metrics();
    expect(refusedAfter("circuit_breaker_state", { breaker: "inventory" })).toBe(2);
    const unavailable = { reason: "DEPENDENCY_UNAVAILABLE" };
    expect(
      (refusedAfter("orders_refused_total", unavailable) ?? 0) -
        (refusedBefore("orders_refused_total", unavailable) ?? 0),
    ).toBe(5);
    expect(await ctx.db.selectFrom("order").select("id").where("userId", "=", buyer.id).execute()).toEqual(
      [],
    );

    await ownRedis.start();
    const placed = await eventually("an order to go through again", async () => {
      const res = await ctx.call<OrderView>("POST", "/orders", {
        token: buyer.token,
        body: { items: [{ sku, quantity: 1 }] },
      });
      return res.status === 201 ? res.body : undefined;
    });
    expect(placed.items[0]?.quantity).toBe(1);
    // The trial call went through: the breaker is closed again.
    expect((await ctx.metrics())("circuit_breaker_state", { breaker: "inventory" })).toBe(0);
    // Nothing was reserved by the failed attempts: only this one order's unit is gone.
    expect(await ctx.available(sku)).toBe(9);
  });

  test("with the event stream unwritable, orders still commit, and every event goes out once when it is writable again", async () => {
    const buyer = await ctx.customer();
    const sku = await ctx.product(20);
    // A key of the wrong type where the stream should be: every XADD fails with WRONGTYPE.
    await ctx.redis.del(ctx.config.EVENTS_STREAM);
    await ctx.redis.set(ctx.config.EVENTS_STREAM, "not a stream");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await ctx.call<OrderView>("POST", "/orders", {
        token: buyer.token,
        body: { items: [{ sku, quantity: 1 }] },
      });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    await Bun.sleep(300);
    expect(await unpublishedCount(ctx.db)).toBeGreaterThanOrEqual(5);

    await ctx.redis.del(ctx.config.EVENTS_STREAM);
    await eventually("the outbox to drain", async () => (await unpublishedCount(ctx.db)) === 0, {
      timeoutMs: 20_000,
    });
    const events = (await ctx.redis.xrange(ctx.config.EVENTS_STREAM, "-", "+")).map(([, fields]) =>
      fromStreamFields(fields),
    );
    const created = events
      .filter((e) => e.type === "order.created")
      .map((e) => (e.payload as { order: OrderView }).order.id);
    expect(created.sort()).toEqual([...ids].sort());
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  test("the request id travels from the HTTP request into the gRPC metadata, the outbox row and the event", async () => {
    const buyer = await ctx.customer();
    const sku = await ctx.product(5);
    const res = await ctx.call<OrderView>("POST", "/orders", {
      token: buyer.token,
      headers: { "x-request-id": "req-trace-7" },
      body: { items: [{ sku, quantity: 1 }] },
    });
    expect(res.status).toBe(201);
    const row = await ctx.db
      .selectFrom("outbox")
      .select(["requestId", "type"])
      .where("type", "=", "order.created")
      .where(sql<boolean>`payload @> ${JSON.stringify({ order: { id: res.body.id } })}::jsonb`)
      .executeTakeFirstOrThrow();
    expect(row.requestId).toBe("req-trace-7");
    const event = await eventually("the event", async () =>
      (await ctx.redis.xrange(ctx.config.EVENTS_STREAM, "-", "+"))
        .map(([, fields]) => fromStreamFields(fields))
        .find(
          (e) => e.type === "order.created" && (e.payload as { order: OrderView }).order.id === res.body.id,
        ),
    );
    expect(event.requestId).toBe("req-trace-7");
    const { inventoryLogs, userLogs } = await ctx.close();
    const reserveLog = inventoryLogs.find(
      (line) => line.requestId === "req-trace-7" && line.msg === "stock reserved",
    );
    expect(reserveLog).toMatchObject({ service: "inventory", rpc: "/inventory.v1.InventoryService/Reserve" });
    const commitLog = inventoryLogs.find(
      (line) => line.requestId === "req-trace-7" && line.msg === "reservation commit",
    );
    expect(commitLog).toMatchObject({ rpc: "/inventory.v1.InventoryService/CommitBatch" });
    expect(userLogs.length).toBeGreaterThanOrEqual(0);
  });
});
