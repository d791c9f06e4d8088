/** POST /orders against the real user and inventory services (ARCHITECTURE §2). */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { AppError } from "@platform/errors";
import { type DomainEvent, fromStreamFields } from "@platform/events";
import type { Problem } from "@platform/http";
import { eventually } from "@platform/testing";
import { sql } from "kysely";
import type { OrderView } from "../src/domain/order.js";
import { pruneKeys, readKey } from "../src/store/idempotency.store.js";
import { type Answer, idempotent } from "../src/use-cases/idempotent-request.js";
import { createOrderTestContext, type OrderTestContext } from "./test-context.js";

// These tests wait on servers, streams and retries; the default 5 s is too tight on a busy 2-core box.
setDefaultTimeout(30_000);

let ctx: OrderTestContext;
beforeAll(async () => {
  ctx = await createOrderTestContext();
});
afterAll(() => ctx.close());

async function streamEvents(): Promise<DomainEvent[]> {
  const entries = await ctx.redis.xrange(ctx.config.EVENTS_STREAM, "-", "+");
  return entries.map(([, fields]) => fromStreamFields(fields));
}
const ordersOf = (events: DomainEvent[], type: string, orderId: string) =>
  events.filter((e) => e.type === type && JSON.stringify(e.payload).includes(orderId));
const countRows = async (table: "order" | "outbox") =>
  Number(
    (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(ctx.db)).rows[0]?.n,
  );

describe("placing an order", () => {
  test("201 with the order, a Location, the price snapshot and total; stock drops; order.created is published", async () => {
    const buyer = await ctx.customer();
    const mug = await ctx.product(10, 1250, "Mug");
    const tee = await ctx.product(5, 1999, "Tee");
    const res = await ctx.call<OrderView>("POST", "/orders", {
      token: buyer.token,
      headers: { "x-request-id": "req-place-1" },
      body: {
        items: [
          { sku: mug, quantity: 3 },
          { sku: tee, quantity: 1 },
        ],
      },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe(`/orders/${res.body.id}`);
    expect(res.headers.get("x-request-id")).toBe("req-place-1");
    expect(res.body).toMatchObject({
      userId: buyer.id,
      status: "CONFIRMED",
      items: [
        { sku: mug, name: "Mug", unitPriceCents: 1250, quantity: 3, subtotalCents: 3750 },
        { sku: tee, name: "Tee", unitPriceCents: 1999, quantity: 1, subtotalCents: 1999 },
      ],
      totalCents: 5749,
      currency: "EUR",
      statusHistory: [{ status: "CONFIRMED" }],
    });
    expect(await ctx.available(mug)).toBe(7);
    expect(await ctx.available(tee)).toBe(4);

    const [created] = await eventually("order.created on the stream", async () => {
      const found = ordersOf(await streamEvents(), "order.created", res.body.id);
      return found.length ? found : undefined;
    });
    expect(created).toMatchObject({ type: "order.created", version: 1, requestId: "req-place-1" });
    expect(created?.payload).toEqual({
      order: res.body,
      // The owner's contact details and channel choices, as the user service gave them.
      user: {
        id: buyer.id,
        email: buyer.email,
        name: "Buyer",
        notificationPreferences: { email: true, sms: true, webhook: true },
      },
    });
    // The reservation was committed: the stock is sold, not merely held.
    await eventually("the commit task to finish", async () => {
      const tasks = await ctx.db
        .selectFrom("reservationTask")
        .select("orderId")
        .where("orderId", "=", res.body.id)
        .execute();
      return tasks.length === 0;
    });
    const read = await ctx.call<OrderView>("GET", `/orders/${res.body.id}`, { token: buyer.token });
    expect(read.body).toEqual(res.body);
  });

  test("100 concurrent orders of 1 on a stock of 40: exactly 40 × 201 and 60 × 409, 40 orders, 40 events, stock 0", async () => {
    const buyer = await ctx.customer();
    const hot = await ctx.product(40, 500, "Hot");
    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        ctx.call<Problem & { id: string }>("POST", "/orders", {
          token: buyer.token,
          body: { items: [{ sku: hot, quantity: 1 }] },
        }),
      ),
    );
    const created = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 409);
    expect(created).toHaveLength(40);
    expect(refused).toHaveLength(60);
    for (const r of refused) {
      expect(r.body.code).toBe("INSUFFICIENT_STOCK");
      expect(r.body.short).toEqual([{ sku: hot, requested: 1, available: 0 }]);
    }
    const ids = created.map((r) => r.body.id);
    const stored = await ctx.db.selectFrom("orderItem").select("orderId").where("sku", "=", hot).execute();
    expect(stored.map((row) => row.orderId).sort()).toEqual([...ids].sort());
    expect(await ctx.available(hot)).toBe(0);
    const events = await eventually("40 order.created events", async () => {
      const found = (await streamEvents()).filter(
        (e) => e.type === "order.created" && JSON.stringify(e.payload).includes(hot),
      );
      return found.length >= 40 ? found : undefined;
    });
    expect(events).toHaveLength(40);
    expect(new Set(events.map((e) => e.id)).size).toBe(40);
  });

  test("the same Idempotency-Key sent 10 times at once: one order, ten identical answers", async () => {
    const buyer = await ctx.customer();
    const sku = await ctx.product(50);
    const body = { items: [{ sku, quantity: 2 }] };
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        ctx.call<OrderView>("POST", "/orders", {
          token: buyer.token,
          body,
          headers: { "idempotency-key": "checkout-42" },
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    const first = answers[0]?.body;
    for (const answer of answers) expect(answer.body).toEqual(first as OrderView);
    expect(answers.filter((a) => a.headers.get("idempotent-replayed") === "true")).toHaveLength(9);
    const orders = await ctx.db.selectFrom("order").select("id").where("userId", "=", buyer.id).execute();
    expect(orders).toEqual([{ id: String(first?.id) }]);
    expect(await ctx.available(sku)).toBe(48);

    // Later, the same key and body replays; the same key with another body is refused.
    const again = await ctx.call<OrderView>("POST", "/orders", {
      token: buyer.token,
      body,
      headers: { "idempotency-key": "checkout-42" },
    });
    expect<unknown[]>([again.status, again.headers.get("idempotent-replayed"), again.body.id]).toEqual([
      201,
      "true",
      first?.id,
    ]);
    const other = await ctx.call<Problem>("POST", "/orders", {
      token: buyer.token,
      body: { items: [{ sku, quantity: 3 }] },
      headers: { "idempotency-key": "checkout-42" },
    });
    expect([other.status, other.body.code]).toEqual([422, "IDEMPOTENCY_KEY_REUSED"]);
    // Keys are per user: another buyer's "checkout-42" is a new order.
    const stranger = await ctx.customer();
    const theirs = await ctx.call<OrderView>("POST", "/orders", {
      token: stranger.token,
      body,
      headers: { "idempotency-key": "checkout-42" },
    });
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(first?.id);
    expect(await ctx.available(sku)).toBe(46);
  });

  test("a duplicate that outwaits the first request is 409 IDEMPOTENCY_KEY_IN_PROGRESS with Retry-After", async () => {
    const options = {
      userId: Bun.randomUUIDv7(),
      key: "slow-checkout",
      requestHash: "h",
      requestId: "req-slow",
      leaseMs: 30_000,
      waitMs: 300,
    };
    let finish = (_: { status: number; body: unknown }) => {};
    const first = idempotent(ctx.db, options, () => new Promise((resolve) => (finish = resolve)));
    await eventually("the first request's claim", () => readKey(ctx.db, options.userId, options.key));
    const duplicate = await idempotent(ctx.db, options, async () => ({
      status: 201,
      body: "never run",
    })).catch((error: unknown) => error);
    expect(duplicate).toBeInstanceOf(AppError);
    const { status, code, headers } = duplicate as AppError;
    expect({ status, code, retryAfter: headers["retry-after"] }).toEqual({
      status: 409,
      code: "IDEMPOTENCY_KEY_IN_PROGRESS",
      retryAfter: "1",
    });
    finish({ status: 201, body: { id: "the first" } });
    expect(await first).toMatchObject({ status: 201, replayed: false });
    expect(await idempotent(ctx.db, options, async () => ({ status: 500, body: "never run" }))).toMatchObject(
      {
        status: 201,
        body: { id: "the first" },
        replayed: true,
      },
    );
  });

  type FirstRun = ReturnType<typeof Promise.withResolvers<Answer>>;
  for (const [ending, end] of [
    ["fails (a 5xx): it does not free", (first: FirstRun) => first.reject(new Error("reset"))],
    [
      "ends in a 4xx: it does not answer for",
      (first: FirstRun) => first.resolve({ status: 409, body: "out of stock then" }),
    ],
  ] as const) {
    test(`a first request that stalled past its lease and then ${ending} the key its successor holds`, async () => {
      const options = {
        userId: Bun.randomUUIDv7(),
        key: "stalled-checkout",
        requestHash: "h",
        requestId: "req-stalled",
        leaseMs: 200,
        waitMs: 2_000,
      };
      const firstRun = Promise.withResolvers<Answer>();
      const first = idempotent(ctx.db, options, () => firstRun.promise);
      const claimed = await eventually("the first request's claim", () =>
        readKey(ctx.db, options.userId, options.key),
      );
      await Bun.sleep(options.leaseMs + 50); // the first one stalls past its lease
      const secondRun = Promise.withResolvers<Answer>();
      const second = idempotent(ctx.db, options, () => secondRun.promise);
      await eventually("the second request's take-over", async () => {
        const record = await readKey(ctx.db, options.userId, options.key);
        return record !== undefined && record.lockedUntil > claimed.lockedUntil;
      });

      end(firstRun);
      await first.catch(() => {});
      expect(await readKey(ctx.db, options.userId, options.key)).toMatchObject({
        orderId: claimed.orderId,
        state: "in_progress",
      });
      secondRun.resolve({ status: 201, body: { id: claimed.orderId } });
      expect(await second).toMatchObject({ status: 201, replayed: false });
      expect(
        await idempotent(ctx.db, options, async () => ({ status: 500, body: "never run" })),
      ).toMatchObject({
        status: 201,
        body: { id: claimed.orderId },
        replayed: true,
      });
    });
  }

  test("a retry after a 5xx runs at once with the same order id: a Reserve whose answer was lost is found, not made twice", async () => {
    const options = {
      userId: Bun.randomUUIDv7(),
      key: "retried-checkout",
      requestHash: "h",
      requestId: "req-retried",
      leaseMs: 30_000,
      waitMs: 2_000,
    };
    const ids: string[] = [];
    const failed = await idempotent(ctx.db, options, async (orderId) => {
      ids.push(orderId);
      throw new Error("DEADLINE_EXCEEDED"); // the Reserve went through; its answer did not come back
    }).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(Error);
    const retried = await idempotent(ctx.db, options, async (orderId) => {
      ids.push(orderId);
      return { status: 201, body: { id: orderId } };
    });
    expect(retried).toMatchObject({ status: 201, replayed: false });
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(ids[0]);
    // The key still stands for that request: another body under it is refused.
    const reused = await idempotent(ctx.db, { ...options, requestHash: "other" }, async () => ({
      status: 201,
      body: "never run",
    })).catch((error: unknown) => error);
    expect(reused).toMatchObject({ status: 422, code: "IDEMPOTENCY_KEY_REUSED" });
  });

  test("keys past their retention are pruned when done or abandoned; a claim still held, or a young key, stays", async () => {
    const userId = Bun.randomUUIDv7();
    const key = (name: string, state: string, age: string, lease: string) =>
      sql`insert into idempotency_key (user_id, key, request_hash, order_id, state, locked_until, created_at)
          values (${userId}, ${name}, 'h', ${Bun.randomUUIDv7()}, ${state},
                  now() + ${lease}::interval, now() - ${age}::interval)`.execute(ctx.db);
    await key("old-done", "done", "2 days", "-2 days");
    await key("old-abandoned", "in_progress", "2 days", "-1 day");
    await key("old-held", "in_progress", "2 days", "1 minute");
    await key("young-done", "done", "1 hour", "-1 hour");
    await pruneKeys(ctx.db, new Date(Date.now() - 86_400_000));
    const left = await sql<{
      key: string;
    }>`select key from idempotency_key where user_id = ${userId} order by key`.execute(ctx.db);
    expect(left.rows.map((row) => row.key)).toEqual(["old-held", "young-done"]);
  });

  test("bad input is a 4xx problem with its code, and writes nothing", async () => {
    const buyer = await ctx.customer();
    const sku = await ctx.product(5);
    const before = { orders: await countRows("order"), outbox: await countRows("outbox") };
    const cases: Array<[string, unknown, number, string]> = [
      ["no items", { items: [] }, 422, "VALIDATION_FAILED"],
      ["quantity 0", { items: [{ sku, quantity: 0 }] }, 422, "VALIDATION_FAILED"],
      ["quantity 10001", { items: [{ sku, quantity: 10_001 }] }, 422, "VALIDATION_FAILED"],
      ["a bad SKU", { items: [{ sku: "bad sku", quantity: 1 }] }, 422, "VALIDATION_FAILED"],
      [
        "101 lines",
        { items: Array.from({ length: 101 }, () => ({ sku, quantity: 1 })) },
        422,
        "VALIDATION_FAILED",
      ],
      ["an unknown SKU", { items: [{ sku: "NO-SUCH-THING", quantity: 1 }] }, 422, "UNKNOWN_SKU"],
      ["malformed JSON", '{"items": [', 400, "MALFORMED_REQUEST"],
      [
        "a 2 MB body",
        JSON.stringify({ items: [{ sku, quantity: 1 }], pad: "x".repeat(2 * 1024 * 1024) }),
        413,
        "PAYLOAD_TOO_LARGE",
      ],
    ];
    for (const [what, body, status, code] of cases) {
      const headers: Record<string, string> =
        typeof body === "string" ? { "content-length": String(body.length) } : {};
      const res = await ctx.call<Problem>("POST", "/orders", { token: buyer.token, body, headers });
      expect([what, res.status, res.body.code]).toEqual([what, status, code]);
    }
    const unauthenticated = await ctx.call<Problem>("POST", "/orders", {
      body: { items: [{ sku, quantity: 1 }] },
    });
    expect([unauthenticated.status, unauthenticated.body.code]).toEqual([401, "UNAUTHENTICATED"]);
    expect({ orders: await countRows("order"), outbox: await countRows("outbox") }).toEqual(before);
    expect(await ctx.available(sku)).toBe(5);
  });

  test("a Postgres failure after a successful reserve releases the reservation: no stock leaks", async () => {
    const buyer = await ctx.customer();
    const sku = await ctx.product(8);
    // An injected fault: the outbox insert of this transaction fails.
    await sql`create function fail_outbox() returns trigger language plpgsql as $$ begin raise exception 'injected failure'; end $$`.execute(
      ctx.db,
    );
    await sql`create trigger fail_outbox before insert on outbox for each row execute function fail_outbox()`.execute(
      ctx.db,
    );
    try {
      const res = await ctx.call<Problem>("POST", "/orders", {
        token: buyer.token,
        body: { items: [{ sku, quantity: 3 }] },
      });
      expect([res.status, res.body.code]).toEqual([500, "INTERNAL"]);
      expect(JSON.stringify(res.body)).not.toContain("injected");
    } finally {
      await sql`drop trigger fail_outbox on outbox`.execute(ctx.db);
      await sql`drop function fail_outbox()`.execute(ctx.db);
    }
    expect(await ctx.available(sku)).toBe(8);
    expect(await ctx.db.selectFrom("order").select("id").where("userId", "=", buyer.id).execute()).toEqual(
      [],
    );
  });
});

describe("reading orders", () => {
  test("owner and admin read an order; anyone else gets 404; lists are newest first, per user, pageable", async () => {
    const ann = await ctx.customer();
    const bob = await ctx.customer();
    const sku = await ctx.product(100);
    const place = async (token: string) =>
      (await ctx.call<OrderView>("POST", "/orders", { token, body: { items: [{ sku, quantity: 1 }] } })).body;
    const annOrders = [await place(ann.token), await place(ann.token), await place(ann.token)];
    const bobOrder = await place(bob.token);

    expect((await ctx.call("GET", `/orders/${annOrders[0]?.id}`, { token: ann.token })).status).toBe(200);
    expect((await ctx.call("GET", `/orders/${annOrders[0]?.id}`, { token: ctx.adminToken })).status).toBe(
      200,
    );
    for (const path of [
      `/orders/${annOrders[0]?.id}`,
      "/orders/not-a-uuid",
      "/orders/01900000-0000-7000-8000-000000000000",
    ]) {
      const res = await ctx.call<Problem>("GET", path, { token: bob.token });
      expect([path, res.status, res.body.code]).toEqual([path, 404, "NOT_FOUND"]);
    }

    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: OrderView[]; nextCursor: string | null } } = await ctx.call(
        "GET",
        `/orders?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
        {
          token: ann.token,
        },
      );
      pages.push(res.body.items.map((o) => o.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(pages).toEqual([[String(annOrders[2]?.id), String(annOrders[1]?.id)], [String(annOrders[0]?.id)]]);

    const asAdmin = await ctx.call<{ items: OrderView[] }>("GET", `/orders?userId=${bob.id}`, {
      token: ctx.adminToken,
    });
    expect(asAdmin.body.items.map((o) => o.id)).toEqual([bobOrder.id]);
    const snooping = await ctx.call<Problem>("GET", `/orders?userId=${bob.id}`, { token: ann.token });
    expect([snooping.status, snooping.body.code]).toEqual([403, "FORBIDDEN"]);
    const badCursor = await ctx.call<Problem>("GET", "/orders?cursor=nonsense", { token: ann.token });
    expect(badCursor.status).toBe(422);
  });
});

describe("metrics", () => {
  test("/metrics: a placed order moves orders_placed_total and the gRPC counters of both sides (its Reserve and its CommitBatch); a replay moves nothing; a refusal counts by reason", async () => {
    const RESERVE = "/inventory.v1.InventoryService/Reserve";
    const COMMIT_BATCH = "/inventory.v1.InventoryService/CommitBatch";
    const buyer = await ctx.customer();
    const sku = await ctx.product(1);
    const before = { order: await ctx.metrics(), inventory: await ctx.metrics("inventory") };
    const order = { token: buyer.token, body: { items: [{ sku, quantity: 1 }] } };
    const key = { "idempotency-key": `metrics-${sku}` };
    expect((await ctx.call("POST", "/orders", { ...order, headers: key })).status).toBe(201);
    const replay = await ctx.call("POST", "/orders", { ...order, headers: key });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    const refused = await ctx.call<Problem>("POST", "/orders", order);
    expect([refused.status, refused.body.code]).toEqual([409, "INSUFFICIENT_STOCK"]);
    const after = { order: await ctx.metrics(), inventory: await ctx.metrics("inventory") };
    const moved = (service: "order" | "inventory", name: string, labels?: Record<string, string>) =>
      (after[service](name, labels) ?? 0) - (before[service](name, labels) ?? 0);

    expect(moved("order", "orders_placed_total")).toBe(1);
    expect(moved("order", "orders_refused_total", { reason: "INSUFFICIENT_STOCK" })).toBe(1);
    expect(moved("order", "order_placement_duration_seconds_count", { outcome: "placed" })).toBe(1);
    expect(moved("order", "order_placement_duration_seconds_count", { outcome: "refused" })).toBe(1);
    for (const service of ["order", "inventory"] as const) {
      const side = service === "order" ? "client" : "server";
      expect(moved(service, `grpc_${side}_handled_total`, { method: RESERVE, code: "OK" })).toBe(1);
      expect(
        moved(service, `grpc_${side}_handled_total`, { method: RESERVE, code: "FAILED_PRECONDITION" }),
      ).toBe(1);
      expect(moved(service, `grpc_${side}_handling_seconds_count`, { method: RESERVE })).toBe(2);
      // The placed order's Commit, in a batch of its own.
      expect(moved(service, `grpc_${side}_handled_total`, { method: COMMIT_BATCH, code: "OK" })).toBe(1);
      expect(after[service]("outbox_backlog")).toBeGreaterThanOrEqual(0);
    }
    expect(after.order("circuit_breaker_state", { breaker: "inventory", service: "order" })).toBe(0);
  });
});
