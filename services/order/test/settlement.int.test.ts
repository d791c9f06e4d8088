/**
 * Settling a reservation when timing goes wrong (ARCHITECTURE §12): an order stored while its
 * Commit is still owed, then cancelled; a Commit that comes after the reservation lapsed (the order
 * service was down past the TTL), with the stock still there or gone meanwhile. Each ends with the
 * stock counted exactly once, never an order confirmed without stock.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createDatabase } from "@platform/db";
import { fromStreamFields } from "@platform/events";
import { eventually, freePort } from "@platform/testing";
import { sql } from "kysely";
import type { ReservationClient } from "../src/clients/reservation-client.js";
import { type OrderView, priceLines, toOrderView } from "../src/domain/order.js";
import { orderCreated } from "../src/events/order-events.js";
import { findOrder, insertPlacedOrder, newOrder, type OrderDb } from "../src/store/order.store.js";
import type { OrderDatabase } from "../src/store/order.table.js";
import { OUT_OF_STOCK_REASON, ReservationTasks } from "../src/tasks/reservation-tasks.js";
import { changeStatus } from "../src/use-cases/change-status.js";
import { placeOrder } from "../src/use-cases/place-order.js";
import { createOrderTestContext, type OrderTestContext } from "./test-context.js";

setDefaultTimeout(30_000);

let ctx: OrderTestContext;
/** Settled reservations leave Redis after 2 s here (900 s by default), so a test can outlive one. */
const RETENTION_SECONDS = 2;

beforeAll(async () => {
  ctx = await createOrderTestContext({
    inventoryConfig: { RESERVATION_RETENTION_SECONDS: String(RETENTION_SECONDS) },
  });
});
afterAll(() => ctx.close());

/**
 * What placeOrder leaves when its Commit has not happened yet: the reservation (with the given TTL),
 * the order and a Commit task that the running worker does not pick up until the test says so.
 */
async function orderWithCommitOwed(sku: string, quantity: number, ttlSeconds: number) {
  const buyer = await ctx.customer();
  const orderId = Bun.randomUUIDv7();
  const { lines: reserved } = await ctx.deps.inventory.reserve(
    orderId,
    [{ sku, quantity }],
    ttlSeconds,
    "req-owed",
  );
  const owner = { id: buyer.id, email: buyer.email, name: "Buyer" };
  const order = newOrder({ id: orderId, userId: buyer.id, ...priceLines(reserved) }, "CONFIRMED", new Date());
  await insertPlacedOrder(ctx.db, {
    order,
    owner,
    requestId: "req-owed",
    event: orderCreated(toOrderView(order), owner, "req-owed"),
    eventsStream: ctx.config.EVENTS_STREAM,
    task: { action: "commit", dueAt: new Date(Date.now() + 3_600_000) }, // the running worker leaves it alone
  });
  return { buyer, orderId };
}

const taskCount = async (orderId: string) =>
  (await ctx.db.selectFrom("reservationTask").select("action").where("orderId", "=", orderId).execute())
    .length;

/** Lets the running task worker carry out the owed Commit now, and waits until it has. */
async function runCommitNow(orderId: string) {
  await sql`update reservation_task set next_attempt_at = now() where order_id = ${orderId}`.execute(ctx.db);
  await eventually("the Commit task to be done", async () => (await taskCount(orderId)) === 0);
}

/**
 * A task worker of its own on the real inventory client, except that its `method` call for `orderId`
 * waits until the test lets it go (`reached` resolves when it got there).
 */
function workerHolding(method: "commit" | "reserve", orderId: string) {
  const reached = Promise.withResolvers<void>();
  const released = Promise.withResolvers<void>();
  const real = ctx.deps.inventory;
  const call = real[method] as (...args: unknown[]) => Promise<unknown>;
  const inventory = Object.assign(Object.create(real), {
    async [method](...args: unknown[]) {
      if (args[0] === orderId) {
        reached.resolve();
        await released.promise;
      }
      return call.apply(real, args);
    },
  });
  return { worker: workerOn(ctx.db, inventory), reached: reached.promise, release: () => released.resolve() };
}

/** A task worker of its own (not started: a test runs it), on this database and inventory client. */
const workerOn = (db: OrderDb, inventory: ReservationClient) =>
  new ReservationTasks({
    db,
    inventory,
    relay: ctx.deps.relay,
    logger: ctx.deps.logger,
    eventsStream: ctx.config.EVENTS_STREAM,
    reservationTtlSeconds: 600,
  });

describe("settling reservations", () => {
  test("a cancel while the Commit is still owed gives the stock back, and the Commit never happens", async () => {
    const sku = await ctx.product(5);
    const { buyer, orderId } = await orderWithCommitOwed(sku, 2, 600);
    expect(await ctx.available(sku)).toBe(3);

    const cancelled = await ctx.call<OrderView>("POST", `/orders/${orderId}/cancel`, { token: buyer.token });
    expect([cancelled.status, cancelled.body.status]).toEqual([200, "CANCELLED"]);
    await eventually("the stock to come back", async () => (await ctx.available(sku)) === 5);
    expect(await taskCount(orderId)).toBe(0);
    await ctx.deps.tasks.runDue();
    expect(await ctx.available(sku)).toBe(5);
  });

  test("a task tried at once while Postgres is away is left to the worker: the change that owes it answers success", async () => {
    // Nothing listens there: every query fails as it would with the database gone.
    const away = createDatabase<OrderDatabase>({
      url: `postgres://nobody@127.0.0.1:${await freePort()}/nothing`,
      schema: "orders",
    });
    const tasks = workerOn(away, ctx.deps.inventory);
    try {
      const task = { orderId: Bun.randomUUIDv7(), action: "return", requestId: "req-away" } as const;
      expect(await tasks.runNow(task)).toBe(false);
    } finally {
      await away.destroy();
    }
  });

  test("the task worker locks one task at a time: a cancel of another due order does not wait for a slow Commit", async () => {
    const sku = await ctx.product(10);
    const slow = await orderWithCommitOwed(sku, 1, 600);
    const other = await orderWithCommitOwed(sku, 2, 600);
    await ctx.deps.tasks.stop(); // only the worker below carries out these tasks
    try {
      const { worker, reached, release } = workerHolding("commit", slow.orderId);
      await sql`update reservation_task set next_attempt_at = now() - interval '2 seconds'
                where order_id = ${slow.orderId}`.execute(ctx.db);
      await sql`update reservation_task set next_attempt_at = now() - interval '1 second'
                where order_id = ${other.orderId}`.execute(ctx.db);
      const round = worker.runDue();
      await reached;

      let answered: number | undefined;
      const cancel = ctx
        .call<OrderView>("POST", `/orders/${other.orderId}/cancel`, { token: other.buyer.token })
        .then((res) => {
          answered = res.status;
        });
      await eventually("the cancel answered while the slow Commit waits", () => answered === 200);
      release();
      expect(await round).toBe(1); // the slow order's Commit; the other's was dropped by its cancel
      await cancel;
      await eventually("the cancelled order's stock back", async () => (await ctx.available(sku)) === 9);
      expect(await taskCount(slow.orderId)).toBe(0);
    } finally {
      ctx.deps.tasks.start();
    }
  });

  test("a Commit after the reservation lapsed takes the stock afresh; the order stays confirmed", async () => {
    const sku = await ctx.product(5);
    const { orderId } = await orderWithCommitOwed(sku, 2, 1);
    await eventually("the reservation to lapse", async () => (await ctx.available(sku)) === 5, {
      timeoutMs: 10_000,
    });

    await runCommitNow(orderId);
    expect(await ctx.available(sku)).toBe(3);
    expect((await findOrder(ctx.db, orderId))?.status).toBe("CONFIRMED");
  });

  test("a cancel that waited for a lapsed Commit being mended finds it done: the Return sends the order's lines", async () => {
    const sku = await ctx.product(5);
    const { buyer, orderId } = await orderWithCommitOwed(sku, 2, 1);
    await eventually("the reservation to lapse", async () => (await ctx.available(sku)) === 5, {
      timeoutMs: 10_000,
    });
    await ctx.deps.tasks.stop(); // the Return task stays where the test can read it
    try {
      // Right after placing: the Commit finds the reservation lapsed and, under the task's lock,
      // reserves the lines again (held there) and commits them.
      const { worker, reached, release } = workerHolding("reserve", orderId);
      const committing = worker.commitNow(orderId, "req-mend");
      await reached;
      const principal = {
        userId: buyer.id,
        email: buyer.email,
        role: "user" as const,
        issuedAt: 0,
        expiresAt: 0,
      };
      const cancelling = changeStatus(
        { ...ctx.deps, tasks: { runNow: async () => false } as unknown as typeof ctx.deps.tasks },
        { orderId, to: "CANCELLED", principal, requestId: "req-cancel" },
      );
      await eventually("the cancel waiting for the task's lock", async () => {
        const { rows } = await sql<{ waiting: number }>`
          select count(*)::int as waiting from pg_stat_activity
          where wait_event_type = 'Lock' and query like '%reservation_task%'`.execute(ctx.db);
        return rows[0]?.waiting === 1;
      });
      release();
      await committing;
      await cancelling;
      const returnTask = await ctx.db
        .selectFrom("reservationTask")
        .select("committed")
        .where("orderId", "=", orderId)
        .where("action", "=", "return")
        .executeTakeFirst();
      // Not committed, the Return would send no lines: after the inventory's retention the
      // committed stock would never come back.
      expect(returnTask?.committed).toBe(true);
    } finally {
      ctx.deps.tasks.start();
    }
    await eventually("the stock back", async () => (await ctx.available(sku)) === 5);
  });

  test("a Commit after the reservation lapsed and its stock was sold cancels the order, saying why", async () => {
    const sku = await ctx.product(2);
    const { orderId } = await orderWithCommitOwed(sku, 2, 1);
    await eventually("the reservation to lapse", async () => (await ctx.available(sku)) === 2, {
      timeoutMs: 10_000,
    });
    const other = Bun.randomUUIDv7();
    await ctx.deps.inventory.reserve(other, [{ sku, quantity: 2 }], 600, "req-other");
    await ctx.deps.inventory.commit(other, "req-other");

    await runCommitNow(orderId);
    expect(await ctx.available(sku)).toBe(0);
    expect((await findOrder(ctx.db, orderId))?.status).toBe("CANCELLED");
    const event = await eventually("order.status.updated", async () =>
      (await ctx.redis.xrange(ctx.config.EVENTS_STREAM, "-", "+"))
        .map(([, fields]) => fromStreamFields(fields))
        .find(
          (e) => e.type === "order.status.updated" && (e.payload as { orderId: string }).orderId === orderId,
        ),
    );
    expect(event.payload).toMatchObject({ from: "CONFIRMED", to: "CANCELLED", reason: OUT_OF_STOCK_REASON });
  });

  test("a retry inside the retention window finds the reservation; one after it takes no stock twice", async () => {
    const buyer = await ctx.customer();
    const sku = await ctx.product(10);
    const placed = await ctx.call<OrderView>("POST", "/orders", {
      token: buyer.token,
      body: { items: [{ sku, quantity: 2 }] },
    });
    expect(placed.status).toBe(201);
    expect(await ctx.available(sku)).toBe(8);
    // What an Idempotency-Key takeover after a crash does: the same request, the same order id.
    const retry = () =>
      placeOrder(ctx.deps, {
        orderId: placed.body.id,
        principal: { userId: buyer.id, email: buyer.email, role: "user", issuedAt: 0, expiresAt: 0 },
        items: [{ sku, quantity: 2 }],
        requestId: "req-retry",
      });

    // Inside the window the Reserve finds the committed reservation and takes nothing.
    expect((await retry()).order.id).toBe(placed.body.id);
    expect(await ctx.available(sku)).toBe(8);

    // After it the reservation has left Redis: the Reserve takes the stock afresh, the retry finds the
    // order stored and gives that stock back.
    await Bun.sleep((RETENTION_SECONDS + 1) * 1000);
    expect((await retry()).order.id).toBe(placed.body.id);
    expect(await ctx.available(sku)).toBe(8);
    const mine = await ctx.call<{ items: OrderView[] }>("GET", "/orders", { token: buyer.token });
    expect(mine.body.items.map((o) => o.id)).toEqual([placed.body.id]);
  });
});
