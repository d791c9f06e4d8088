/** InventoryService over a real gRPC socket, stock in real Redis (ARCHITECTURE §4). */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { fieldsToRecord } from "@platform/events";
import { createLogger } from "@platform/logging";
import {
  INSUFFICIENT_STOCK_TRAILER,
  InsufficientStock,
  MAX_COMMIT_BATCH,
  ReservationState,
  StockStatus,
} from "@platform/proto";
import { eventually } from "@platform/testing";
import { ClientError, Metadata, Status } from "nice-grpc";
import { ReservationSweeper } from "../src/stock/reservation-sweeper.js";
import { createInventoryTestContext, type InventoryTestContext } from "./test-context.js";

// These tests wait on servers, streams and retries; the default 5 s is too tight on a busy 2-core box.
setDefaultTimeout(30_000);

let ctx: InventoryTestContext;
beforeAll(async () => {
  ctx = await createInventoryTestContext();
});
afterAll(() => ctx.close());

const level = async (sku: string) => {
  const { items } = await ctx.grpc.getStock({ skus: [sku] });
  return { available: items[0]?.available, reserved: items[0]?.reserved };
};

/** The gRPC status of a call that must fail. */
async function statusOf(call: Promise<unknown>): Promise<Status> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ClientError) return error.code;
    throw error;
  }
  throw new Error("the call succeeded");
}

describe("Reserve", () => {
  test("200 concurrent reservations of 1 on a stock of 50: exactly 50 succeed and available ends at 0", async () => {
    const sku = await ctx.product({ initialStock: 50 });
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        ctx.grpc.reserve({ reservationId: `hot-${sku}-${i}`, lines: [{ sku, quantity: 1 }], ttlSeconds: 60 }),
      ),
    );
    const succeeded = results.filter((r) => r.status === "fulfilled");
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(succeeded).toHaveLength(50);
    expect(failed).toHaveLength(150);
    for (const { reason } of failed) expect((reason as ClientError).code).toBe(Status.FAILED_PRECONDITION);
    expect(await level(sku)).toEqual({ available: 0, reserved: 50 });
    const { items } = await ctx.grpc.getStock({ skus: [sku] });
    expect(items[0]?.status).toBe(StockStatus.STOCK_STATUS_OUT_OF_STOCK);
  });

  test("answers the catalog snapshot of every line, merges lines of one SKU, and says when it expires", async () => {
    const a = await ctx.product({ initialStock: 10, priceCents: 1250, name: "Anvil" });
    const before = Date.now();
    const reply = await ctx.grpc.reserve({
      reservationId: `snap-${a}`,
      lines: [
        { sku: a, quantity: 2 },
        { sku: a, quantity: 3 },
      ],
      ttlSeconds: 120,
    });
    expect(reply.state).toBe(ReservationState.RESERVATION_STATE_RESERVED);
    expect(reply.lines).toEqual([
      { sku: a, quantity: 5, name: "Anvil", unitPriceCents: 1250, currency: "EUR" },
    ]);
    const expiresAt = Date.parse(reply.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 119_000);
    expect(await level(a)).toEqual({ available: 5, reserved: 5 });
  });

  test("a multi-line reserve with short lines changes no stock and lists every short SKU", async () => {
    const plenty = await ctx.product({ initialStock: 100 });
    const shortA = await ctx.product({ initialStock: 1 });
    const shortB = await ctx.product({ initialStock: 2 });
    let detail: InsufficientStock | undefined;
    const status = await statusOf(
      ctx.grpc.reserve(
        {
          reservationId: `short-${plenty}`,
          lines: [
            { sku: plenty, quantity: 5 },
            { sku: shortA, quantity: 2 },
            { sku: shortB, quantity: 3 },
          ],
          ttlSeconds: 60,
        },
        {
          onTrailer: (trailer) => {
            const bytes = trailer.get(INSUFFICIENT_STOCK_TRAILER);
            if (bytes instanceof Uint8Array) detail = InsufficientStock.decode(bytes);
          },
        },
      ),
    );
    expect(status).toBe(Status.FAILED_PRECONDITION);
    expect(detail?.lines).toEqual([
      { sku: shortA, requested: 2, available: 1 },
      { sku: shortB, requested: 3, available: 2 },
    ]);
    expect(await level(plenty)).toEqual({ available: 100, reserved: 0 });
    expect(await level(shortA)).toEqual({ available: 1, reserved: 0 });
    // Nothing was recorded: the same id can reserve what is there.
    const retry = await ctx.grpc.reserve({
      reservationId: `short-${plenty}`,
      lines: [{ sku: plenty, quantity: 5 }],
      ttlSeconds: 60,
    });
    expect(retry.state).toBe(ReservationState.RESERVATION_STATE_RESERVED);
  });

  test("Reserve → Commit → Return restores available exactly; every call repeated answers the same", async () => {
    const sku = await ctx.product({ initialStock: 20 });
    const id = `lifecycle-${sku}`;
    const request = { reservationId: id, lines: [{ sku, quantity: 7 }], ttlSeconds: 60 };
    const first = await ctx.grpc.reserve(request);
    expect(await ctx.grpc.reserve(request)).toEqual(first);
    expect(await level(sku)).toEqual({ available: 13, reserved: 7 });

    const committed = { reservationId: id, state: ReservationState.RESERVATION_STATE_COMMITTED };
    expect(await ctx.grpc.commit({ reservationId: id })).toEqual(committed);
    expect(await ctx.grpc.commit({ reservationId: id })).toEqual(committed);
    expect(await level(sku)).toEqual({ available: 13, reserved: 0 });
    // A retried Reserve after the commit still answers the first result and takes nothing.
    expect((await ctx.grpc.reserve(request)).lines).toEqual(first.lines);
    expect(await level(sku)).toEqual({ available: 13, reserved: 0 });

    const returned = { reservationId: id, state: ReservationState.RESERVATION_STATE_RETURNED };
    expect(await ctx.grpc.return({ reservationId: id })).toEqual(returned);
    expect(await ctx.grpc.return({ reservationId: id })).toEqual(returned);
    expect(await level(sku)).toEqual({ available: 20, reserved: 0 });
  });

  test("a committed reservation whose record is gone: a Return with the order's lines gives them back once; without them NOT_FOUND", async () => {
    const sku = await ctx.product({ initialStock: 20 });
    const id = `late-return-${sku}`;
    await ctx.grpc.reserve({ reservationId: id, lines: [{ sku, quantity: 7 }], ttlSeconds: 60 });
    await ctx.grpc.commit({ reservationId: id });
    await ctx.redis.del(ctx.keys.reservation(id)); // kept RESERVATION_RETENTION_SECONDS after settling
    expect(await level(sku)).toEqual({ available: 13, reserved: 0 });

    expect(await statusOf(ctx.grpc.return({ reservationId: id }))).toBe(Status.NOT_FOUND);
    const late = { reservationId: id, lines: [{ sku, quantity: 7 }] };
    const returned = { reservationId: id, state: ReservationState.RESERVATION_STATE_RETURNED };
    expect(await ctx.grpc.return(late)).toEqual(returned);
    expect(await ctx.grpc.return(late)).toEqual(returned);
    expect(await ctx.grpc.return({ reservationId: id })).toEqual(returned);
    expect(await level(sku)).toEqual({ available: 20, reserved: 0 });
  });

  test("Reserve → Release gives the stock back once; an illegal transition is an error, not a no-op", async () => {
    const sku = await ctx.product({ initialStock: 4 });
    const id = `release-${sku}`;
    await ctx.grpc.reserve({ reservationId: id, lines: [{ sku, quantity: 4 }], ttlSeconds: 60 });
    const released = { reservationId: id, state: ReservationState.RESERVATION_STATE_RELEASED };
    expect(await ctx.grpc.release({ reservationId: id })).toEqual(released);
    expect(await ctx.grpc.release({ reservationId: id })).toEqual(released);
    expect(await level(sku)).toEqual({ available: 4, reserved: 0 });
    expect(await statusOf(ctx.grpc.commit({ reservationId: id }))).toBe(Status.FAILED_PRECONDITION);
    expect(await statusOf(ctx.grpc.return({ reservationId: id }))).toBe(Status.FAILED_PRECONDITION);
    expect(await level(sku)).toEqual({ available: 4, reserved: 0 });

    const committedId = `release-after-commit-${sku}`;
    await ctx.grpc.reserve({ reservationId: committedId, lines: [{ sku, quantity: 1 }], ttlSeconds: 60 });
    await ctx.grpc.commit({ reservationId: committedId });
    expect(await statusOf(ctx.grpc.release({ reservationId: committedId }))).toBe(Status.FAILED_PRECONDITION);
    expect(await level(sku)).toEqual({ available: 3, reserved: 0 });
  });

  test("CommitBatch settles each reservation on its own, as Commit alone would", async () => {
    const sku = await ctx.product({ initialStock: 10 });
    const reserve = (id: string) =>
      ctx.grpc.reserve({ reservationId: id, lines: [{ sku, quantity: 2 }], ttlSeconds: 60 });
    const [a, b, released] = [`batch-a-${sku}`, `batch-b-${sku}`, `batch-released-${sku}`];
    await Promise.all([reserve(a), reserve(b), reserve(released)]);
    await ctx.grpc.commit({ reservationId: b });
    await ctx.grpc.release({ reservationId: released });

    const COMMITTED = ReservationState.RESERVATION_STATE_COMMITTED;
    const UNSPECIFIED = ReservationState.RESERVATION_STATE_UNSPECIFIED;
    const items = [a, b, released, `batch-unknown-${sku}`, "bad id!"].map((reservationId, i) => ({
      reservationId,
      requestId: `request-${i}`,
    }));
    const { outcomes } = await ctx.grpc.commitBatch({ items });
    expect(outcomes.map(({ reservationId, state, code }) => ({ reservationId, state, code }))).toEqual([
      { reservationId: a, state: COMMITTED, code: Status.OK },
      { reservationId: b, state: COMMITTED, code: Status.OK }, // committed before: the same answer
      { reservationId: released, state: UNSPECIFIED, code: Status.FAILED_PRECONDITION },
      { reservationId: `batch-unknown-${sku}`, state: UNSPECIFIED, code: Status.NOT_FOUND },
      { reservationId: "bad id!", state: UNSPECIFIED, code: Status.INVALID_ARGUMENT },
    ]);
    expect(outcomes[2]?.message).toContain("released");
    expect(await level(sku)).toEqual({ available: 6, reserved: 0 });

    // Repeated, it answers the same and takes nothing more.
    expect((await ctx.grpc.commitBatch({ items })).outcomes).toEqual(outcomes);
    expect(await level(sku)).toEqual({ available: 6, reserved: 0 });
  });

  test("CommitBatch refuses more than MAX_COMMIT_BATCH items and commits none of them", async () => {
    const sku = await ctx.product({ initialStock: 1 });
    const id = `batch-too-big-${sku}`;
    await ctx.grpc.reserve({ reservationId: id, lines: [{ sku, quantity: 1 }], ttlSeconds: 60 });
    const items = Array.from({ length: MAX_COMMIT_BATCH + 1 }, () => ({ reservationId: id, requestId: "r" }));
    expect(await statusOf(ctx.grpc.commitBatch({ items }))).toBe(Status.INVALID_ARGUMENT);
    expect(await level(sku)).toEqual({ available: 0, reserved: 1 });
  });

  test("Reserve → expiry returns the stock exactly once, with two sweepers racing", async () => {
    const sku = await ctx.product({ initialStock: 9 });
    await ctx.grpc.reserve({
      reservationId: `expire-a-${sku}`,
      lines: [{ sku, quantity: 3 }],
      ttlSeconds: 1,
    });
    await ctx.grpc.reserve({
      reservationId: `expire-b-${sku}`,
      lines: [{ sku, quantity: 4 }],
      ttlSeconds: 1,
    });
    expect(await level(sku)).toEqual({ available: 2, reserved: 7 });
    const logger = createLogger({ service: "inventory", level: "silent" });
    const replicas = [new ReservationSweeper(ctx.stock, logger), new ReservationSweeper(ctx.stock, logger)];
    const later = Date.now() + 1_500;
    const expired = await Promise.all(
      replicas.flatMap((sweeper) => [sweeper.sweepOnce(later), sweeper.sweepOnce(later)]),
    );
    expect(expired.reduce((a, b) => a + b, 0)).toBe(2);
    expect(await level(sku)).toEqual({ available: 9, reserved: 0 });
    // A late Commit cannot revive an expired reservation; a late Release is the same outcome.
    expect(await statusOf(ctx.grpc.commit({ reservationId: `expire-a-${sku}` }))).toBe(
      Status.FAILED_PRECONDITION,
    );
    expect((await ctx.grpc.release({ reservationId: `expire-a-${sku}` })).state).toBe(
      ReservationState.RESERVATION_STATE_EXPIRED,
    );
    expect(await level(sku)).toEqual({ available: 9, reserved: 0 });
  });

  test("a Reserve retried after its reservation lapsed takes the stock afresh, or is refused when it is gone", async () => {
    const sku = await ctx.product({ initialStock: 5 });
    const logger = createLogger({ service: "inventory", level: "silent" });
    const sweeper = new ReservationSweeper(ctx.stock, logger);
    const request = (id: string) => ({ reservationId: id, lines: [{ sku, quantity: 3 }], ttlSeconds: 1 });
    await ctx.grpc.reserve(request(`lapse-a-${sku}`));
    expect(await sweeper.sweepOnce(Date.now() + 1_500)).toBe(1);
    expect(await level(sku)).toEqual({ available: 5, reserved: 0 });
    // The retry holds the stock again instead of answering a reservation that holds nothing.
    const again = await ctx.grpc.reserve(request(`lapse-a-${sku}`));
    expect(again.state).toBe(ReservationState.RESERVATION_STATE_RESERVED);
    expect(await level(sku)).toEqual({ available: 2, reserved: 3 });
    expect(await ctx.grpc.reserve(request(`lapse-a-${sku}`))).toEqual(again);

    // Lapsed again, and the stock sold meanwhile: the retry is refused and takes nothing.
    expect(await sweeper.sweepOnce(Date.now() + 1_500)).toBe(1);
    await ctx.grpc.reserve({
      reservationId: `lapse-b-${sku}`,
      lines: [{ sku, quantity: 4 }],
      ttlSeconds: 60,
    });
    expect(await statusOf(ctx.grpc.reserve(request(`lapse-a-${sku}`)))).toBe(Status.FAILED_PRECONDITION);
    expect(await level(sku)).toEqual({ available: 1, reserved: 4 });
  });

  test("a Return before the Commit gives back what the reservation holds; the Commit then fails", async () => {
    const sku = await ctx.product({ initialStock: 6 });
    const id = `return-early-${sku}`;
    await ctx.grpc.reserve({ reservationId: id, lines: [{ sku, quantity: 4 }], ttlSeconds: 60 });
    const returned = { reservationId: id, state: ReservationState.RESERVATION_STATE_RETURNED };
    expect(await ctx.grpc.return({ reservationId: id })).toEqual(returned);
    expect(await ctx.grpc.return({ reservationId: id })).toEqual(returned);
    expect(await level(sku)).toEqual({ available: 6, reserved: 0 });
    expect(await statusOf(ctx.grpc.commit({ reservationId: id }))).toBe(Status.FAILED_PRECONDITION);
    expect(await level(sku)).toEqual({ available: 6, reserved: 0 });
  });

  test("the running sweeper expires a reservation on its own", async () => {
    const sku = await ctx.product({ initialStock: 3 });
    await ctx.grpc.reserve({ reservationId: `auto-${sku}`, lines: [{ sku, quantity: 3 }], ttlSeconds: 1 });
    ctx.sweeper.start();
    try {
      await eventually("the reservation to expire", async () => (await level(sku)).available === 3, {
        timeoutMs: 5000,
      });
    } finally {
      await ctx.sweeper.stop();
    }
    expect(await level(sku)).toEqual({ available: 3, reserved: 0 });
  });

  test("bad requests: unknown SKU is NOT_FOUND; no lines, quantity 0 or negative is INVALID_ARGUMENT", async () => {
    const sku = await ctx.product({ initialStock: 5 });
    const reserve = (
      lines: Array<{ sku: string; quantity: number }>,
      reservationId = `bad-${crypto.randomUUID()}`,
    ) => statusOf(ctx.grpc.reserve({ reservationId, lines, ttlSeconds: 60 }));
    expect(await reserve([{ sku: "NO-SUCH-SKU", quantity: 1 }])).toBe(Status.NOT_FOUND);
    expect(await reserve([])).toBe(Status.INVALID_ARGUMENT);
    expect(await reserve([{ sku, quantity: 0 }])).toBe(Status.INVALID_ARGUMENT);
    expect(await reserve([{ sku, quantity: -3 }])).toBe(Status.INVALID_ARGUMENT);
    expect(await reserve([{ sku, quantity: 1 }], "")).toBe(Status.INVALID_ARGUMENT);
    expect(await statusOf(ctx.grpc.getStock({ skus: [sku, "NOPE-1"] }))).toBe(Status.NOT_FOUND);
    expect(await statusOf(ctx.grpc.commit({ reservationId: "never-reserved" }))).toBe(Status.NOT_FOUND);
    expect(await level(sku)).toEqual({ available: 5, reserved: 0 });
  });

  test("a call whose deadline has passed does nothing", async () => {
    const sku = await ctx.product({ initialStock: 5 });
    const status = await statusOf(
      ctx.grpc.reserve(
        { reservationId: `late-${sku}`, lines: [{ sku, quantity: 1 }], ttlSeconds: 60 },
        { deadline: new Date(Date.now() - 1), metadata: Metadata({ "x-request-id": "req-late" }) },
      ),
    );
    expect(status).toBe(Status.DEADLINE_EXCEEDED);
    expect(await level(sku)).toEqual({ available: 5, reserved: 0 });
  });

  test("stock.low is published once per crossing of the threshold, with the request id", async () => {
    const sku = await ctx.product({ initialStock: 5, lowStockThreshold: 2 });
    const isLowOf = (e: Record<string, string>) => e.type === "stock.low" && e.payload?.includes(`"${sku}"`);
    ctx.stockEvents.start();
    try {
      const reserve = (n: number, quantity: number) =>
        ctx.grpc.reserve(
          { reservationId: `low-${sku}-${n}`, lines: [{ sku, quantity }], ttlSeconds: 60 },
          { metadata: Metadata({ "x-request-id": `req-low-${n}` }) },
        );
      await reserve(1, 2); // 3 left: above the threshold
      await reserve(2, 1); // 2 left: crosses
      await reserve(3, 1); // 1 left: still low, no second event
      await ctx.grpc.release({ reservationId: `low-${sku}-2` });
      await ctx.grpc.release({ reservationId: `low-${sku}-3` }); // 3 left: above again
      await reserve(4, 2); // 1 left: crosses again
      const lows = await eventually("two stock.low events", async () => {
        const entries = await ctx.redis.xrange(ctx.config.EVENTS_STREAM, "-", "+");
        const found = entries.map(([, fields]) => fieldsToRecord(fields)).filter(isLowOf);
        return found.length >= 2 ? found : undefined;
      });
      await Bun.sleep(200);
      const all = (await ctx.redis.xrange(ctx.config.EVENTS_STREAM, "-", "+")).map(([, f]) =>
        fieldsToRecord(f),
      );
      expect(all.filter(isLowOf)).toHaveLength(2);
      expect(lows.map((e) => [e.requestId, JSON.parse(e.payload ?? "{}")])).toEqual([
        ["req-low-2", { sku, available: 2, threshold: 2 }],
        ["req-low-4", { sku, available: 1, threshold: 2 }],
      ]);
      expect(await ctx.redis.llen(ctx.keys.outbox)).toBe(0);
    } finally {
      await ctx.stockEvents.stop();
    }
  });

  test("a threshold lowered under the stock arms stock.low again: the next crossing is announced", async () => {
    const sku = await ctx.product({ initialStock: 12, lowStockThreshold: 10 });
    const isLowOf = (e: Record<string, string>) => e.type === "stock.low" && e.payload?.includes(`"${sku}"`);
    ctx.stockEvents.start();
    try {
      const reserve = (n: number, quantity: number) =>
        ctx.grpc.reserve({ reservationId: `lower-${sku}-${n}`, lines: [{ sku, quantity }], ttlSeconds: 60 });
      await reserve(1, 7); // 5 left: under 10, announced
      const patched = await ctx.call("PATCH", `/products/${sku}`, {
        token: ctx.adminToken,
        body: { lowStockThreshold: 2 },
      });
      expect(patched.status).toBe(200);
      await reserve(2, 4); // 1 left: under the new 2, announced again
      const lows = await eventually("two stock.low events", async () => {
        const entries = await ctx.redis.xrange(ctx.config.EVENTS_STREAM, "-", "+");
        const found = entries.map(([, fields]) => fieldsToRecord(fields)).filter(isLowOf);
        return found.length >= 2 ? found : undefined;
      });
      expect(lows.map((e) => JSON.parse(e.payload ?? "{}"))).toEqual([
        { sku, available: 5, threshold: 10 },
        { sku, available: 1, threshold: 2 },
      ]);
    } finally {
      await ctx.stockEvents.stop();
    }
  });
});

describe("metrics", () => {
  test("/metrics counts every gRPC call by method and status, and times it", async () => {
    const RESERVE = "/inventory.v1.InventoryService/Reserve";
    const sku = await ctx.product({ initialStock: 1 });
    const before = await ctx.metrics();
    const reserve = (reservationId: string, lineSku = sku) =>
      ctx.grpc.reserve({ reservationId, lines: [{ sku: lineSku, quantity: 1 }], ttlSeconds: 60 });
    await reserve(`metrics-${sku}-1`);
    expect(await statusOf(reserve(`metrics-${sku}-2`))).toBe(Status.FAILED_PRECONDITION);
    expect(await statusOf(reserve(`metrics-${sku}-3`, "NO-SUCH-SKU"))).toBe(Status.NOT_FOUND);
    await ctx.grpc.getStock({ skus: [sku] });
    const after = await ctx.metrics();
    const moved = (name: string, labels: Record<string, string>) =>
      (after(name, labels) ?? 0) - (before(name, labels) ?? 0);

    for (const code of ["OK", "FAILED_PRECONDITION", "NOT_FOUND"]) {
      expect([code, moved("grpc_server_handled_total", { method: RESERVE, code })]).toEqual([code, 1]);
    }
    expect(moved("grpc_server_handling_seconds_count", { method: RESERVE })).toBe(3);
    const getStock = "/inventory.v1.InventoryService/GetStock";
    expect(moved("grpc_server_handled_total", { method: getStock, code: "OK" })).toBe(1);
    expect(
      after("grpc_server_handled_total", { method: RESERVE, code: "OK", service: "inventory" }),
    ).toBeNumber();
    expect(after("outbox_backlog")).toBeGreaterThanOrEqual(0);
  });
});
