/** Reconciliation of the stock in Redis against its reservations and the orders behind them. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createLogger } from "@platform/logging";
import { type Drift, type OrderStatus, reconcile } from "../src/stock/reconcile.js";
import { createInventoryTestContext, type InventoryTestContext } from "./test-context.js";

let ctx: InventoryTestContext;
beforeAll(async () => {
  ctx = await createInventoryTestContext();
});
afterAll(() => ctx.close());

const logger = createLogger({ service: "inventory", level: "silent" });

describe("reconcile", () => {
  test("reports each kind of drift, mends it with repair, and finds none afterwards", async () => {
    const a = await ctx.product({ initialStock: 10 });
    const b = await ctx.product({ initialStock: 4 });
    const reserve = (id: string, quantity: number) =>
      ctx.grpc.reserve({ reservationId: id, lines: [{ sku: a, quantity }], ttlSeconds: 600 });
    const orders: Record<string, OrderStatus | null> = {};
    const ids = {
      uncommitted: Bun.randomUUIDv7(),
      cancelled: Bun.randomUUIDv7(),
      orphan: Bun.randomUUIDv7(),
      healthy: Bun.randomUUIDv7(),
      inFlight: Bun.randomUUIDv7(),
    };
    await reserve(ids.uncommitted, 2);
    orders[ids.uncommitted] = "CONFIRMED"; // the order exists, its Commit never came
    await reserve(ids.cancelled, 3);
    await ctx.grpc.commit({ reservationId: ids.cancelled });
    orders[ids.cancelled] = "CANCELLED"; // cancelled, its Return never came
    await reserve(ids.orphan, 1);
    await ctx.grpc.commit({ reservationId: ids.orphan });
    orders[ids.orphan] = null; // sold, but no order holds it
    await reserve(ids.healthy, 1);
    await ctx.grpc.commit({ reservationId: ids.healthy });
    orders[ids.healthy] = "DELIVERED";
    await reserve(ids.inFlight, 1);
    orders[ids.inFlight] = null; // being placed right now: left alone
    await ctx.redis.hincrby(ctx.keys.levels, `${b}:reserved`, 5); // a counter that drifted

    const lookups: string[][] = [];
    const states = async (batch: string[]) => {
      lookups.push(batch);
      return Object.fromEntries(batch.map((id) => [id, orders[id] ?? null]));
    };
    const level = async (sku: string) => (await ctx.stock.levels([sku])).get(sku);

    const report = await reconcile(ctx.stock, states, { repair: false, logger });
    const kinds = report.drift.map((d) => [d.kind, d.reservationId ?? d.sku]).sort();
    expect(kinds).toEqual(
      [
        ["cancelled-not-returned", ids.cancelled],
        ["placed-not-committed", ids.uncommitted],
        ["reserved-counter", b],
        ["sold-without-order", ids.orphan],
      ].sort(),
    );
    expect(report.reservations).toBe(5);
    expect(lookups.flat().sort()).toEqual(
      [ids.uncommitted, ids.cancelled, ids.orphan, ids.healthy, ids.inFlight].sort(),
    );
    // A report alone changes nothing.
    expect(await level(a)).toMatchObject({ available: 2, reserved: 3 });
    expect(await level(b)).toMatchObject({ available: 4, reserved: 5 });

    const repaired = await reconcile(ctx.stock, states, { repair: true, logger });
    expect(repaired.drift.every((d) => d.repaired)).toBe(true);
    // The cancelled and the orphaned units are back; the uncommitted one is sold; one unit stays held.
    expect(await level(a)).toMatchObject({ available: 6, reserved: 1 });
    expect(await level(b)).toMatchObject({ available: 4, reserved: 0 });

    const again = await reconcile(ctx.stock, states, { repair: false, logger });
    expect(again.drift).toEqual([]);
  });

  test("a reservation SCAN returns twice (the keyspace resizing meanwhile) is counted once: no false drift", async () => {
    const sku = await ctx.product({ initialStock: 5 });
    const id = Bun.randomUUIDv7();
    await ctx.grpc.reserve({ reservationId: id, lines: [{ sku, quantity: 2 }], ttlSeconds: 600 });
    // The store as a SCAN that repeats every key would have it.
    const repeating = Object.create(ctx.stock, {
      reservations: {
        value: async function* () {
          for await (const reservation of ctx.stock.reservations()) {
            yield reservation;
            yield reservation;
          }
        },
      },
    }) as typeof ctx.stock;
    const states = async (batch: string[]) => Object.fromEntries(batch.map((r) => [r, null])); // being placed
    const report = await reconcile(repeating, states, { repair: true, logger });
    expect(report.drift.filter((d) => d.sku === sku)).toEqual([]);
    expect((await ctx.stock.levels([sku])).get(sku)).toMatchObject({ available: 3, reserved: 2 });
  });

  test("an expired reservation whose order stands is taken again and committed, or reported when the stock is gone", async () => {
    const sku = await ctx.product({ initialStock: 5 });
    const lapsed = Bun.randomUUIDv7();
    const gone = Bun.randomUUIDv7();
    await ctx.grpc.reserve({ reservationId: lapsed, lines: [{ sku, quantity: 2 }], ttlSeconds: 600 });
    await ctx.grpc.reserve({ reservationId: gone, lines: [{ sku, quantity: 3 }], ttlSeconds: 600 });
    // Both lapse (the order service was away past the TTL); their orders were stored all the same.
    await ctx.stock.settle("expire", lapsed, { now: Date.now() + 3_600_000 });
    await ctx.stock.settle("expire", gone, { now: Date.now() + 3_600_000 });
    // Meanwhile someone else buys 2 of the 5: only one of the two can be served again.
    await ctx.grpc.reserve({ reservationId: `other-${sku}`, lines: [{ sku, quantity: 2 }], ttlSeconds: 600 });
    await ctx.grpc.commit({ reservationId: `other-${sku}` });
    const orders: Record<string, OrderStatus | null> = {
      [lapsed]: "CONFIRMED",
      [gone]: "SHIPPED",
      [`other-${sku}`]: "CONFIRMED",
    };
    const states = async (batch: string[]) => Object.fromEntries(batch.map((id) => [id, orders[id] ?? null]));

    const report = await reconcile(ctx.stock, states, { repair: false, logger });
    const lapses = report.drift
      .filter((d) => d.kind === "lapsed-with-order")
      .map((d) => d.reservationId)
      .sort();
    expect(lapses).toEqual([gone, lapsed].sort());

    // (The first test's reservations are in the same store: look at this test's only.)
    const mine = (drift: Drift[]) =>
      drift.filter((d) => d.reservationId === lapsed || d.reservationId === gone);
    const repaired = mine((await reconcile(ctx.stock, states, { repair: true, logger })).drift);
    // The first in the walk that fits is taken again; the other is reported, not repaired.
    const served = repaired.filter((d) => d.repaired);
    expect(served).toHaveLength(1);
    expect((await ctx.stock.levels([sku])).get(sku)).toMatchObject({
      available: served[0]?.reservationId === lapsed ? 1 : 0,
      reserved: 0,
    });
    const left = mine((await reconcile(ctx.stock, states, { repair: false, logger })).drift);
    expect(left.map((d) => [d.kind, d.reservationId === served[0]?.reservationId])).toEqual([
      ["lapsed-with-order", false],
    ]);
  });

  test("an order waiting for its payment holds its reservation, or lets it lapse, and neither is drift", async () => {
    const sku = await ctx.product({ initialStock: 5 });
    const held = Bun.randomUUIDv7();
    const lapsed = Bun.randomUUIDv7();
    await ctx.grpc.reserve({ reservationId: held, lines: [{ sku, quantity: 2 }], ttlSeconds: 600 });
    await ctx.grpc.reserve({ reservationId: lapsed, lines: [{ sku, quantity: 1 }], ttlSeconds: 600 });
    // Its payment window ended before the order service got round to cancelling the order.
    await ctx.stock.settle("expire", lapsed, { now: Date.now() + 3_600_000 });
    const orders: Record<string, OrderStatus> = { [held]: "PENDING_PAYMENT", [lapsed]: "PENDING_PAYMENT" };
    const states = async (batch: string[]) => Object.fromEntries(batch.map((id) => [id, orders[id] ?? null]));
    // (The earlier tests' reservations are in the same store: look at this test's only.)
    const mine = (drift: Drift[]) =>
      drift.filter((d) => d.reservationId === held || d.reservationId === lapsed || d.sku === sku);

    expect(mine((await reconcile(ctx.stock, states, { repair: true, logger })).drift)).toEqual([]);
    // Neither committed nor taken again: two units still held, the lapsed one back for sale.
    expect((await ctx.stock.levels([sku])).get(sku)).toMatchObject({ available: 3, reserved: 2 });

    // Once paid the order is confirmed and owes its Commit: a reservation still held is drift then.
    orders[held] = "CONFIRMED";
    const paid = mine((await reconcile(ctx.stock, states, { repair: false, logger })).drift);
    expect(paid.map((d) => [d.kind, d.reservationId])).toEqual([["placed-not-committed", held]]);
  });
});
