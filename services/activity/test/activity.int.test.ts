/** The activity log: events from the streams stored once in MongoDB, and the queries over them. */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { listDeadLetters, type OrderStatus, publishEvent } from "@platform/events";
import type { Problem } from "@platform/http";
import {
  eventually,
  orderCreatedEvent,
  orderStatusUpdatedEvent,
  paymentRefundedEvent,
  paymentSucceededEvent,
  stockLowEvent,
  unknownTypeEvent,
  unreadableEntryFields,
} from "@platform/testing";
import type { ActivityView } from "../src/domain/activity.js";
import { pruneEntries } from "../src/store/activity.store.js";
import { type ActivityTestContext, createActivityTestContext } from "./test-context.js";

// These tests wait on servers, streams and retries; the default 5 s is too tight on a busy 2-core box.
setDefaultTimeout(30_000);

let ctx: ActivityTestContext;
beforeAll(async () => {
  ctx = await createActivityTestContext();
  await ctx.consumers[0]?.start();
});
afterAll(() => ctx.close());

const ann = "01900000-0000-7000-8000-0000000000a1";
const bob = "01900000-0000-7000-8000-0000000000b2";

const owner = (id: string) => ({ id, email: `${id}@example.com`, name: "Someone" });

const orderCreated = (userId: string, orderId = Bun.randomUUIDv7()) =>
  orderCreatedEvent({ user: owner(userId), order: { id: orderId } });

const statusUpdated = (userId: string, orderId: string, version: number, to: OrderStatus) =>
  orderStatusUpdatedEvent({ user: owner(userId), orderId, to, version });

const storedCount = (id: string) => ctx.entries.countDocuments({ _id: id });

describe("activity", () => {
  test("an order.created event becomes one document with its order and user, which the owner can read", async () => {
    const event = orderCreated(ann);
    await publishEvent(ctx.redis, ctx.config.ORDERS_STREAM, event);
    const orderId = (event.payload as { order: { id: string } }).order.id;
    await eventually("the document", async () => (await storedCount(event.id)) === 1);
    const stored = await ctx.entries.findOne({ _id: event.id });
    expect(stored).toMatchObject({
      type: "order.created",
      orderId,
      userId: ann,
      requestId: event.requestId,
      source: ctx.config.ORDERS_STREAM,
    });

    const mine = await ctx.call<{ items: ActivityView[] }>("GET", `/activity?orderId=${orderId}`, {
      token: await ctx.tokens.sign({ userId: ann }),
    });
    expect(mine.body.items).toEqual([
      {
        id: event.id,
        type: "order.created",
        version: 1,
        occurredAt: event.occurredAt,
        requestId: event.requestId,
        orderId,
        userId: ann,
        sku: null,
        payload: event.payload,
      },
    ]);
    const others = await ctx.call<{ items: ActivityView[] }>("GET", `/activity?orderId=${orderId}`, {
      token: await ctx.tokens.sign({ userId: bob }),
    });
    expect(others.body.items).toEqual([]);
    const asAdmin = await ctx.call<{ items: ActivityView[] }>("GET", `/activity?orderId=${orderId}`, {
      token: await ctx.tokens.sign({ userId: bob, role: "admin" }),
    });
    expect(asAdmin.body.items.map((e) => e.id)).toEqual([event.id]);
    const snooping = await ctx.call<Problem>("GET", `/activity?userId=${ann}`, {
      token: await ctx.tokens.sign({ userId: bob }),
    });
    expect([snooping.status, snooping.body.code]).toEqual([403, "FORBIDDEN"]);
  });

  test("the same event delivered twice is stored once", async () => {
    const event = orderCreated(ann);
    await publishEvent(ctx.redis, ctx.config.ORDERS_STREAM, event);
    await publishEvent(ctx.redis, ctx.config.ORDERS_STREAM, event);
    await eventually("both entries handled", async () => {
      const info = (await ctx.redis.xpending(ctx.config.ORDERS_STREAM, ctx.config.CONSUMER_GROUP)) as [
        number,
      ];
      const length = await ctx.redis.xlen(ctx.config.ORDERS_STREAM);
      const groups = (await ctx.redis.xinfo("GROUPS", ctx.config.ORDERS_STREAM)) as unknown[][];
      const lag = Number(groups[0]?.[groups[0].indexOf("lag") + 1]);
      return info[0] === 0 && lag === 0 && length > 0;
    });
    expect(await storedCount(event.id)).toBe(1);
  });

  test("an order's trail, newest first and paged: created, then each status change", async () => {
    const orderId = Bun.randomUUIDv7();
    const created = orderCreated(ann, orderId);
    const shipped = statusUpdated(ann, orderId, 2, "SHIPPED");
    const delivered = statusUpdated(ann, orderId, 3, "DELIVERED");
    for (const event of [created, shipped, delivered]) {
      await publishEvent(ctx.redis, ctx.config.ORDERS_STREAM, event);
      await Bun.sleep(5);
    }
    await eventually("three entries", async () => (await ctx.entries.countDocuments({ orderId })) === 3);
    const token = await ctx.tokens.sign({ userId: ann });
    const first = await ctx.call<{ items: ActivityView[]; nextCursor: string }>(
      "GET",
      `/activity?orderId=${orderId}&limit=2`,
      { token },
    );
    const second = await ctx.call<{ items: ActivityView[]; nextCursor: string | null }>(
      "GET",
      `/activity?orderId=${orderId}&limit=2&cursor=${first.body.nextCursor}`,
      { token },
    );
    expect([...first.body.items, ...second.body.items].map((e) => e.id)).toEqual([
      delivered.id,
      shipped.id,
      created.id,
    ]);
    expect(second.body.nextCursor).toBeNull();
    const onlyStatus = await ctx.call<{ items: ActivityView[] }>(
      "GET",
      `/activity?orderId=${orderId}&type=order.status.updated`,
      { token },
    );
    expect(onlyStatus.body.items.map((e) => e.id)).toEqual([delivered.id, shipped.id]);
    const bad = await ctx.call<Problem>("GET", "/activity?cursor=zzz", { token });
    expect(bad.status).toBe(422);
  });

  test("inventory events are recorded by SKU", async () => {
    const low = stockLowEvent({ sku: "LAMP-9", available: 1, threshold: 2 });
    await publishEvent(ctx.redis, ctx.config.INVENTORY_STREAM, low);
    await eventually("the stock.low entry", async () => (await storedCount(low.id)) === 1);
    expect(await ctx.entries.findOne({ _id: low.id })).toMatchObject({ sku: "LAMP-9", type: "stock.low" });
  });

  test("payment events from the payments stream join their order's trail, which the owner reads", async () => {
    const orderId = Bun.randomUUIDv7();
    const created = orderCreated(ann, orderId);
    const paid = paymentSucceededEvent({ user: owner(ann), payment: { orderId } });
    const refunded = paymentRefundedEvent({
      user: owner(ann),
      payment: { id: paid.payload.payment.id, orderId },
    });
    await publishEvent(ctx.redis, ctx.config.ORDERS_STREAM, created);
    await publishEvent(ctx.redis, ctx.config.PAYMENTS_STREAM, paid);
    await publishEvent(ctx.redis, ctx.config.PAYMENTS_STREAM, refunded);
    await eventually("three entries", async () => (await ctx.entries.countDocuments({ orderId })) === 3);
    expect(await ctx.entries.findOne({ _id: paid.id })).toMatchObject({
      type: "payment.succeeded",
      orderId,
      userId: ann,
      source: ctx.config.PAYMENTS_STREAM,
    });
    const trail = await ctx.call<{ items: ActivityView[] }>("GET", `/activity?orderId=${orderId}`, {
      token: await ctx.tokens.sign({ userId: ann }),
    });
    expect(trail.body.items.map((e) => [e.type, e.id])).toEqual([
      ["payment.refunded", refunded.id],
      ["payment.succeeded", paid.id],
      ["order.created", created.id],
    ]);
  });

  test("an entry read by a consumer that died before acking is taken over and stored once", async () => {
    // Stop the running consumer, then let a consumer "die" holding the entry: read, never acked.
    await ctx.consumers[0]?.stop();
    const event = orderCreated(bob);
    await publishEvent(ctx.redis, ctx.config.ORDERS_STREAM, event);
    const read = (await ctx.redis.xreadgroup(
      "GROUP",
      ctx.config.CONSUMER_GROUP,
      "dead-consumer",
      "COUNT",
      100,
      "STREAMS",
      ctx.config.ORDERS_STREAM,
      ">",
    )) as Array<[string, Array<[string, string[]]>]>;
    expect(read[0]?.[1].some(([, fields]) => fields.includes(event.id))).toBe(true);
    expect(await storedCount(event.id)).toBe(0);

    const successor = ctx.newConsumer("activity-2");
    ctx.consumers.push(successor);
    await successor.start();
    await eventually("the successor to store it", async () => (await storedCount(event.id)) === 1);
    await eventually(
      "nothing pending",
      async () =>
        ((await ctx.redis.xpending(ctx.config.ORDERS_STREAM, ctx.config.CONSUMER_GROUP)) as [number])[0] ===
        0,
    );
    expect(await storedCount(event.id)).toBe(1);
  });

  test("a malformed entry and an unknown type end in <stream>:dlq without blocking the entries behind them", async () => {
    const stream = ctx.config.ORDERS_STREAM;
    const poisonId = await ctx.redis.xadd(stream, "*", ...unreadableEntryFields("bad-1"));
    const unknown = unknownTypeEvent("order.teleported");
    await publishEvent(ctx.redis, stream, unknown);
    const behind = orderCreated(ann);
    await publishEvent(ctx.redis, stream, behind);
    await eventually("the entry behind them to be stored", async () => (await storedCount(behind.id)) === 1, {
      timeoutMs: 3000,
    });
    const letters = await eventually("two dead letters", async () => {
      const found = await listDeadLetters(ctx.redis, stream);
      return found.length >= 2 ? found : undefined;
    });
    expect(letters.map((l) => l.originalId)).toContain(poisonId ?? "");
    expect(letters.find((l) => l.fields.id === unknown.id)?.error).toContain(
      "unknown event type order.teleported",
    );
    expect(letters.every((l) => l.group === "activity" && l.deliveries === 3)).toBe(true);
    expect(await storedCount(unknown.id)).toBe(0);
  });

  test("admins list a stream's dead letters (paged) and replay them: back on the stream with their event id", async () => {
    const stream = ctx.config.ORDERS_STREAM;
    const before = (await listDeadLetters(ctx.redis, stream, 1000)).length;
    const poison = [unknownTypeEvent("order.lost-1"), unknownTypeEvent("order.lost-2")];
    for (const event of poison) await publishEvent(ctx.redis, stream, event);
    await eventually("both dead-lettered", async () => {
      const letters = await listDeadLetters(ctx.redis, stream, 1000);
      return letters.length >= before + 2;
    });
    const admin = await ctx.tokens.sign({ userId: bob, role: "admin" });
    const query = "stream=orders&limit=1";
    const asUser = await ctx.call<Problem>("GET", `/admin/dead-letters?${query}`, {
      token: await ctx.tokens.sign({ userId: ann }),
    });
    expect([asUser.status, asUser.body.code]).toEqual([403, "FORBIDDEN"]);

    // Paged one at a time: every dead letter once, the two new ones with their type and error.
    type Letter = {
      id: string;
      stream: string;
      eventId: string | null;
      eventType: string | null;
      error: string;
      group: string;
    };
    const seen: Letter[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: Letter[]; nextCursor: string | null } } = await ctx.call(
        "GET",
        `/admin/dead-letters?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        { token: admin },
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen.map((l) => l.id)).size).toBe(seen.length);
    const ours = seen.filter((l) => poison.some((event) => event.id === l.eventId));
    expect(ours.map((l) => [l.eventType, l.group])).toEqual([
      ["order.lost-1", "activity"],
      ["order.lost-2", "activity"],
    ]);
    expect(ours[0]?.error).toContain("unknown event type order.lost-1");
    expect(ours.map((l) => l.stream)).toEqual(["orders", "orders"]); // what replay takes

    // Past Redis's two 64-bit numbers an id is refused here, not by Redis (a 500).
    const tooBig = "18446744073709551616-0";
    const bigCursor = await ctx.call<Problem>(
      "GET",
      `/admin/dead-letters?${query}&cursor=${Buffer.from(JSON.stringify(tooBig)).toString("base64url")}`,
      { token: admin },
    );
    expect([bigCursor.status, bigCursor.body.errors?.[0]?.field]).toEqual([422, "cursor"]);
    const bigId = await ctx.call<Problem>("POST", "/admin/dead-letters/replay", {
      token: admin,
      body: { stream: "orders", ids: [tooBig] },
    });
    expect([bigId.status, bigId.body.code]).toEqual([422, "VALIDATION_FAILED"]);

    const badIds = await ctx.call<Problem>("POST", "/admin/dead-letters/replay", {
      token: admin,
      body: { stream: "orders", ids: ["not-an-id"] },
    });
    expect([badIds.status, badIds.body.code]).toEqual([422, "VALIDATION_FAILED"]);
    const one = await ctx.call<{ replayed: number }>("POST", "/admin/dead-letters/replay", {
      token: admin,
      body: { stream: ours[0]?.stream, ids: [ours[0]?.id] },
    });
    expect([one.status, one.body.replayed]).toEqual([202, 1]);
    const onStream = (await ctx.redis.xrange(stream, "-", "+")).filter(([, fields]) =>
      fields.includes(poison[0]?.id ?? ""),
    );
    expect(onStream.length).toBe(2); // published once, replayed once: the same event id
    const rest = await ctx.call<{ replayed: number }>("POST", "/admin/dead-letters/replay", {
      token: admin,
      body: { stream: "orders" },
    });
    expect(rest.status).toBe(202);
    expect(rest.body.replayed).toBeGreaterThanOrEqual(1);
  });

  test("POST /internal/activity stores an event once: 201, then 200; an unknown type is 422", async () => {
    const event = orderCreated(ann);
    const first = await ctx.call("POST", "/internal/activity", { body: event });
    const second = await ctx.call("POST", "/internal/activity", { body: event });
    expect([first.status, first.body.outcome, second.status, second.body.outcome]).toEqual([
      201,
      "stored",
      200,
      "duplicate",
    ]);
    expect(await storedCount(event.id)).toBe(1);
    const unknown = await ctx.call<Problem>("POST", "/internal/activity", {
      body: { ...event, id: "x-1", type: "order.vanished" },
    });
    expect([unknown.status, unknown.body.code]).toEqual([422, "VALIDATION_FAILED"]);
    const malformed = await ctx.call<Problem>("POST", "/internal/activity", { body: { id: "x-2" } });
    expect(malformed.status).toBe(422);
  });

  test("/metrics reports the consumer's processed count and lag", async () => {
    const res = await ctx.app.handle(new Request("http://activity.test/metrics"));
    const text = await res.text();
    expect(text).toContain(
      `events_processed_total{stream="${ctx.config.ORDERS_STREAM}",group="activity",type="order.created",service="activity"}`,
    );
    expect(text).toContain(
      `events_consumer_lag{stream="${ctx.config.ORDERS_STREAM}",group="activity",service="activity"} 0`,
    );
    expect(text).toContain("events_dead_lettered_total");
  });

  test("retention: entries that occurred before the cutoff are deleted, later ones kept", async () => {
    const old = orderCreated(ann);
    const recent = orderCreated(ann);
    await publishEvent(ctx.redis, ctx.config.ORDERS_STREAM, old);
    await publishEvent(ctx.redis, ctx.config.ORDERS_STREAM, recent);
    await eventually(
      "both stored",
      async () => (await storedCount(old.id)) + (await storedCount(recent.id)) === 2,
    );
    await ctx.entries.updateOne(
      { _id: old.id },
      { $set: { occurredAt: new Date(Date.now() - 40 * 86_400_000) } },
    );
    expect(await pruneEntries(ctx.entries, new Date(Date.now() - 30 * 86_400_000))).toBeGreaterThanOrEqual(1);
    expect(await storedCount(old.id)).toBe(0);
    expect(await storedCount(recent.id)).toBe(1);
  });
});
