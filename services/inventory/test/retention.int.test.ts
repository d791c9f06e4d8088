/**
 * Redis holds what is in flight, not history (ARCHITECTURE §8): a settled reservation leaves after
 * RESERVATION_RETENTION_SECONDS, so the reservation records do not grow with the orders placed;
 * only a Return of committed stock (a cancellation, rare) keeps its record a week.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { eventually } from "@platform/testing";
import { createInventoryTestContext, type InventoryTestContext } from "./test-context.js";

setDefaultTimeout(60_000);

let ctx: InventoryTestContext;
beforeAll(async () => {
  ctx = await createInventoryTestContext({ RESERVATION_RETENTION_SECONDS: "5" });
});
afterAll(() => ctx.close());

async function reservationRecords(): Promise<number> {
  let count = 0;
  let cursor = "0";
  do {
    const [next, keys] = await ctx.redis.scan(cursor, "MATCH", ctx.keys.reservation("*"), "COUNT", 1000);
    cursor = next;
    count += keys.length;
  } while (cursor !== "0");
  return count;
}

describe("reservation retention", () => {
  test("1,500 settled reservations leave Redis once the retention has passed", async () => {
    const sku = await ctx.product({ initialStock: 10_000 });
    const before = await reservationRecords();
    const ids = Array.from({ length: 1_500 }, (_, i) => `retention-${sku}-${i}`);
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(
        ids.slice(i, i + 50).map(async (reservationId, j) => {
          await ctx.grpc.reserve({ reservationId, lines: [{ sku, quantity: 1 }], ttlSeconds: 600 });
          // Most are sold; some given back: every kind of settlement leaves.
          if (j % 10 === 0) await ctx.grpc.release({ reservationId });
          else await ctx.grpc.commit({ reservationId });
        }),
      );
    }
    expect(await reservationRecords()).toBeGreaterThanOrEqual(before + 1_500);
    const { after } = await eventually(
      "the settled reservations to leave",
      async () => {
        const count = await reservationRecords();
        return count <= before + 30 ? { after: count } : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    expect(after).toBeLessThanOrEqual(before + 30);
    // The counters are untouched by the records' departure.
    expect((await ctx.stock.levels([sku])).get(sku)).toMatchObject({
      available: 10_000 - 1_350,
      reserved: 0,
    });
  });

  test("a committed reservation given back keeps its record past the retention: a Return retried later gives nothing twice", async () => {
    const sku = await ctx.product({ initialStock: 20 });
    const reservationId = `returned-${sku}`;
    await ctx.grpc.reserve({ reservationId, lines: [{ sku, quantity: 7 }], ttlSeconds: 600 });
    await ctx.grpc.commit({ reservationId });
    await ctx.grpc.return({ reservationId });
    expect((await ctx.stock.levels([sku])).get(sku)).toMatchObject({ available: 20, reserved: 0 });
    await Bun.sleep(6_000); // past the retention of 5 s
    // The order service retrying its Return task sends the order's lines along (the record may be gone).
    await ctx.grpc.return({ reservationId, lines: [{ sku, quantity: 7 }] });
    expect((await ctx.stock.levels([sku])).get(sku)).toMatchObject({ available: 20, reserved: 0 });
  });

  test("a reservation still held is never dropped, however long it is kept", async () => {
    const sku = await ctx.product({ initialStock: 3 });
    await ctx.grpc.reserve({ reservationId: `held-${sku}`, lines: [{ sku, quantity: 2 }], ttlSeconds: 600 });
    await Bun.sleep(6_000);
    expect(await ctx.redis.exists(ctx.keys.reservation(`held-${sku}`))).toBe(1);
    expect((await ctx.stock.levels([sku])).get(sku)).toMatchObject({ available: 1, reserved: 2 });
  });
});
