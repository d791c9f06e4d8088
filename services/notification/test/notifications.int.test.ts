/**
 * Notifications from events, on real Postgres and Redis, delivered to a real SMTP server, a real
 * webhook receiver and real WebSocket clients (ARCHITECTURE §7).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createHmac } from "node:crypto";
import { listDeadLetters, publishEvent } from "@platform/events";
import type { Problem } from "@platform/http";
import {
  eventually,
  paymentRefundedEvent,
  paymentSucceededEvent,
  stockLowEvent,
  unknownTypeEvent,
  unreadableEntryFields,
} from "@platform/testing";
import { sql } from "kysely";
import type { NotificationView } from "../src/routes/notification-view.js";
import { pruneNotifications } from "../src/store/notification.store.js";
import { ann, bob, cy, orderCreated } from "./fixtures.js";
import { createNotificationTestContext, type NotificationTestContext } from "./test-context.js";

// These tests wait on servers, streams and retries; the default 5 s is too tight on a busy 2-core box.
setDefaultTimeout(30_000);

let ctx: NotificationTestContext;
beforeAll(async () => {
  ctx = await createNotificationTestContext();
});
afterAll(() => ctx.close());

const rowsOf = (eventId: string) =>
  ctx.db.selectFrom("notification").selectAll().where("eventId", "=", eventId).orderBy("channel").execute();

describe("notifications", () => {
  test("order.created: one notification per channel; the email, the signed webhook and the owner's WebSocket push arrive", async () => {
    const annSocket = await ctx.socket(await ctx.tokens.sign({ userId: ann.id }));
    const annSecondSocket = await ctx.socket(await ctx.tokens.sign({ userId: ann.id }));
    const bobSocket = await ctx.socket(await ctx.tokens.sign({ userId: bob.id }));
    const event = orderCreated();
    const orderId = (event.payload as { order: { id: string } }).order.id;
    await publishEvent(ctx.redis, ctx.config.ORDERS_STREAM, event);

    const rows = await eventually("every channel sent", async () => {
      const found = await rowsOf(event.id);
      return found.length === 4 && found.every((r) => r.status === "sent") ? found : undefined;
    });
    expect(rows.map((r) => r.channel)).toEqual(["email", "log", "webhook", "websocket"]);
    expect(rows.map((r) => [r.orderId, r.userId, r.attempts])).toEqual(Array(4).fill([orderId, ann.id, 1]));

    const [mail] = ctx.smtp.forEvent(event.id);
    expect(mail?.to && "text" in mail.to ? mail.to.text : "").toBe("ann@example.com");
    expect(mail?.subject).toContain("confirmed");
    expect(mail?.text).toContain("2 × Stoneware mug (MUG-1)");
    expect(mail?.text).toContain("Total: €44.99");
    expect(mail?.html).toContain("Ann &lt;Admin&gt;");
    expect(mail?.html).toContain("Cotton tee");

    const webhook = ctx.webhooks.find((w) => w.body.includes(event.id));
    const [, t, v1] = webhook?.signature?.match(/^t=(\d+),v1=([0-9a-f]{64})$/) ?? [];
    const expected = createHmac("sha256", ctx.config.WEBHOOK_SECRET ?? "")
      .update(`${t}.${webhook?.body}`)
      .digest("hex");
    expect(v1).toBe(expected);
    expect(Math.abs(Date.now() / 1000 - Number(t))).toBeLessThan(300);
    expect(JSON.parse(webhook?.body ?? "{}")).toMatchObject({
      type: "order.created",
      orderId,
      userId: ann.id,
    });

    await eventually(
      "both of Ann's sockets to get the push",
      () => annSocket.received.length === 1 && annSecondSocket.received.length === 1,
    );
    expect(annSocket.received[0]).toMatchObject({
      type: "notification",
      notification: { eventId: event.id, orderId, channel: "websocket" },
    });
    await Bun.sleep(100);
    expect(bobSocket.received).toEqual([]);
    for (const s of [annSocket, annSecondSocket, bobSocket]) s.ws.close();
  });

  test("the same event delivered twice stores one row per channel and sends one email", async () => {
    const event = orderCreated(bob);
    await publishEvent(ctx.redis, ctx.config.ORDERS_STREAM, event);
    await publishEvent(ctx.redis, ctx.config.ORDERS_STREAM, event);
    await eventually("the email", () => ctx.smtp.forEvent(event.id).length >= 1);
    await eventually("all sent", async () => (await rowsOf(event.id)).every((r) => r.status === "sent"));
    await Bun.sleep(300);
    expect(await rowsOf(event.id)).toHaveLength(4);
    expect(ctx.smtp.forEvent(event.id)).toHaveLength(1);
  });

  test("stock.low goes to the admins' addresses by email and log", async () => {
    const event = stockLowEvent({ sku: "LAMP-1", available: 2, threshold: 3 });
    await publishEvent(ctx.redis, ctx.config.INVENTORY_STREAM, event);
    await eventually("the admin email", () => ctx.smtp.forEvent(event.id).length === 1);
    const [mail] = ctx.smtp.forEvent(event.id);
    expect(mail?.to && "text" in mail.to ? mail.to.text : "").toBe("ops@example.com, boss@example.com");
    expect(mail?.subject).toBe("Low stock: LAMP-1");
    expect((await rowsOf(event.id)).map((r) => r.channel)).toEqual(["email", "log"]);
  });

  test("payment events from the payments stream reach the order's owner: the email, the webhook, the WebSocket push", async () => {
    const annSocket = await ctx.socket(await ctx.tokens.sign({ userId: ann.id }));
    const paid = paymentSucceededEvent({ user: ann, payment: { amountCents: 4499 } });
    const { orderId } = paid.payload.payment;
    const refunded = paymentRefundedEvent({ user: ann, payment: paid.payload.payment });
    await publishEvent(ctx.redis, ctx.config.PAYMENTS_STREAM, paid);
    await publishEvent(ctx.redis, ctx.config.PAYMENTS_STREAM, refunded);

    for (const event of [paid, refunded]) {
      const rows = await eventually(`every channel sent for ${event.type}`, async () => {
        const found = await rowsOf(event.id);
        return found.length === 4 && found.every((r) => r.status === "sent") ? found : undefined;
      });
      expect(rows.map((r) => [r.channel, r.orderId, r.userId])).toEqual(
        ["email", "log", "webhook", "websocket"].map((channel) => [channel, orderId, ann.id]),
      );
    }
    const [receipt] = ctx.smtp.forEvent(paid.id);
    expect(receipt?.to && "text" in receipt.to ? receipt.to.text : "").toBe("ann@example.com");
    expect(receipt?.subject).toBe(`Payment received for order ${orderId.slice(-8)}`);
    expect(receipt?.text).toContain(`your payment of €44.99 for order ${orderId}`);
    const [refundMail] = ctx.smtp.forEvent(refunded.id);
    expect(refundMail?.subject).toBe(`Refund of €44.99 for order ${orderId.slice(-8)}`);
    expect(refundMail?.text).toContain("Order cancelled.");

    const webhook = ctx.webhooks.find((w) => w.body.includes(refunded.id));
    expect(JSON.parse(webhook?.body ?? "{}")).toMatchObject({
      type: "payment.refunded",
      orderId,
      userId: ann.id,
      data: { paymentStatus: "REFUNDED", refund: refunded.payload.refund },
    });
    await eventually("both pushes on Ann's socket", () => annSocket.received.length >= 2);
    expect(annSocket.received.map((m) => (m.notification as { eventId: string }).eventId)).toEqual(
      expect.arrayContaining([paid.id, refunded.id]),
    );
    annSocket.ws.close();
  });

  test("SMTP down: the email stays pending and is retried, and is sent once SMTP is back", async () => {
    await ctx.smtp.stop();
    const event = orderCreated();
    await publishEvent(ctx.redis, ctx.config.ORDERS_STREAM, event);
    const pending = await eventually("a failed attempt", async () => {
      const email = (await rowsOf(event.id)).find((r) => r.channel === "email");
      return email?.lastError && email.status === "pending" ? email : undefined;
    });
    // An unreachable server spends no attempts: however long it is away, the email waits for it.
    expect(pending.attempts).toBe(0);
    // Its owner reads that it is not delivered yet and will be; the admin what the server said.
    const owner = await ctx.call<NotificationView>(
      "GET",
      `/notifications/${pending.id}`,
      await ctx.tokens.sign({ userId: ann.id }),
    );
    expect(owner.body.lastError).toBe("Not delivered by email yet; it will be tried again.");
    // The service says so, and stays in service: it still stores, lists and pushes.
    const ready = await ctx.call("GET", "/ready");
    expect([ready.status, ready.body]).toMatchObject([
      200,
      { status: "degraded", checks: { email: "down" } },
    ]);
    // The other channels do not wait for email.
    await eventually("the other channels sent", async () =>
      (await rowsOf(event.id)).every((r) => r.channel === "email" || r.status === "sent"),
    );
    expect((await rowsOf(event.id)).find((r) => r.channel === "email")?.status).toBe("pending");
    await ctx.smtp.start();
    const sent = await eventually(
      "the email sent",
      async () => {
        const email = (await rowsOf(event.id)).find((r) => r.channel === "email");
        return email?.status === "sent" ? email : undefined;
      },
      { timeoutMs: 15_000 },
    );
    expect(sent.attempts).toBe(1);
    expect(ctx.smtp.forEvent(event.id)).toHaveLength(1);
    expect((await ctx.call<{ checks: Record<string, string> }>("GET", "/ready")).body.checks.email).toBe(
      "ok",
    );
  });

  test("past the attempt limit it is failed; GET shows the attempts and the last error (in full to admins only); an admin retry sends it", async () => {
    ctx.smtp.refuseRecipients = true;
    const event = orderCreated();
    await publishEvent(ctx.redis, ctx.config.ORDERS_STREAM, event);
    const failed = await eventually(
      "the email to fail for good",
      async () => {
        const email = (await rowsOf(event.id)).find((r) => r.channel === "email");
        return email?.status === "failed" ? email : undefined;
      },
      { timeoutMs: 15_000 },
    );
    expect(failed.attempts).toBe(ctx.config.MAX_ATTEMPTS);

    const annToken = await ctx.tokens.sign({ userId: ann.id });
    const adminToken = await ctx.tokens.sign({ userId: bob.id, role: "admin" });
    const shown = await ctx.call<NotificationView>("GET", `/notifications/${failed.id}`, annToken);
    expect(shown.body).toMatchObject({
      status: "failed",
      attempts: 3,
      channel: "email",
      lastError: "Could not be delivered by email (3 attempts).",
    });
    const asAdmin = await ctx.call<NotificationView>("GET", `/notifications/${failed.id}`, adminToken);
    expect(asAdmin.body.lastError).toContain("550");
    const notAdmin = await ctx.call<Problem>("POST", `/notifications/${failed.id}/retry`, annToken);
    expect([notAdmin.status, notAdmin.body.code]).toEqual([403, "FORBIDDEN"]);

    ctx.smtp.refuseRecipients = false;
    const retried = await ctx.call<NotificationView>("POST", `/notifications/${failed.id}/retry`, adminToken);
    expect([retried.status, retried.body.status]).toEqual([202, "pending"]);
    await eventually(
      "the retried email sent",
      async () => (await rowsOf(event.id)).find((r) => r.channel === "email")?.status === "sent",
    );
    expect(ctx.smtp.forEvent(event.id)).toHaveLength(1);
    const again = await ctx.call<Problem>("POST", `/notifications/${failed.id}/retry`, adminToken);
    expect([again.status, again.body.code]).toEqual([409, "INVALID_TRANSITION"]);
  });

  test("sms: to the owner's phone, one short line; a provider failing spends attempts, an admin retry sends it once", async () => {
    ctx.smsProviderSettings.status = 500;
    const event = orderCreated(cy);
    await publishEvent(ctx.redis, ctx.config.ORDERS_STREAM, event);
    const failed = await eventually(
      "the text message to fail for good",
      async () => {
        const sms = (await rowsOf(event.id)).find((r) => r.channel === "sms");
        return sms?.status === "failed" ? sms : undefined;
      },
      { timeoutMs: 15_000 },
    );
    expect(failed).toMatchObject({ recipient: cy.phone, attempts: ctx.config.MAX_ATTEMPTS });
    expect(failed.lastError).toContain("500");
    // Cy switched email off: log, WebSocket, webhook and sms only.
    expect((await rowsOf(event.id)).map((r) => r.channel)).toEqual(["log", "sms", "webhook", "websocket"]);

    ctx.smsProviderSettings.status = 201;
    const adminToken = await ctx.tokens.sign({ userId: bob.id, role: "admin" });
    const retried = await ctx.call<NotificationView>("POST", `/notifications/${failed.id}/retry`, adminToken);
    expect([retried.status, retried.body.status]).toEqual([202, "pending"]);
    await eventually(
      "the retried text message sent",
      async () => (await rowsOf(event.id)).find((r) => r.channel === "sms")?.status === "sent",
    );
    expect(ctx.texts.filter((t) => t.reference === failed.id)).toEqual([
      {
        to: cy.phone,
        body: `Order ${event.payload.order.id.slice(-8)} confirmed: 2 items, total €44.99.`,
        reference: failed.id,
      },
    ]);
  });

  test("an admin retry of a channel no longer configured (SMS_URL removed) is 409, and the row stays failed", async () => {
    const own = await createNotificationTestContext({ SMS_URL: undefined as unknown as string });
    try {
      const id = Bun.randomUUIDv7();
      await sql`
        insert into notification (id, event_id, event_type, channel, recipient, subject, body_text, body_html, data, status, attempts)
        values (${id}, ${Bun.randomUUIDv7()}, 'order.created', 'sms', ${cy.phone}, 'Order confirmed', 'Order confirmed.', '', '{}'::jsonb, 'failed', 3)
      `.execute(own.db);
      const adminToken = await own.tokens.sign({ userId: bob.id, role: "admin" });
      const retried = await own.call<Problem>("POST", `/notifications/${id}/retry`, adminToken);
      expect([retried.status, retried.body.code]).toEqual([409, "INVALID_TRANSITION"]);
      const row = await own.db
        .selectFrom("notification")
        .select("status")
        .where("id", "=", id)
        .executeTakeFirst();
      expect(row?.status).toBe("failed");
    } finally {
      await own.close();
    }
  });

  test("sms: a provider answering that it is busy or away (503, 429) holds the message without spending attempts; sent once when it is back", async () => {
    ctx.smsProviderSettings.status = 503;
    const event = orderCreated(cy);
    await publishEvent(ctx.redis, ctx.config.ORDERS_STREAM, event);
    const smsRow = async () => (await rowsOf(event.id)).find((r) => r.channel === "sms");
    await eventually("the provider to be tried", async () => (await smsRow())?.lastError?.includes("503"));
    ctx.smsProviderSettings.status = 429;
    await eventually(
      "the provider to be tried again",
      async () => (await smsRow())?.lastError?.includes("429"),
      {
        timeoutMs: 15_000,
      },
    );
    // Longer than MAX_ATTEMPTS (3) retries at RETRY_BASE_MS (100 ms) would take: still waiting, no attempt spent.
    expect(await smsRow()).toMatchObject({ status: "pending", attempts: 0 });

    ctx.smsProviderSettings.status = 201;
    const sent = await eventually(
      "the text message sent",
      async () => {
        const sms = await smsRow();
        return sms?.status === "sent" ? sms : undefined;
      },
      { timeoutMs: 20_000 },
    );
    expect(sent.attempts).toBe(1);
    expect(ctx.texts.filter((t) => t.reference === sent.id)).toHaveLength(1);
  });

  test("a user lists their own notifications, newest first; another user's are not found", async () => {
    const bobToken = await ctx.tokens.sign({ userId: bob.id });
    const mine = await ctx.call<{ items: NotificationView[] }>("GET", "/notifications?limit=100", bobToken);
    expect(mine.body.items.length).toBeGreaterThan(0);
    expect(mine.body.items.every((n) => n.userId === bob.id)).toBe(true);
    const annRow = (
      await ctx.db
        .selectFrom("notification")
        .select("id")
        .where("userId", "=", ann.id)
        .executeTakeFirstOrThrow()
    ).id;
    const snooping = await ctx.call<Problem>("GET", `/notifications/${annRow}`, bobToken);
    expect([snooping.status, snooping.body.code]).toEqual([404, "NOT_FOUND"]);
    const paged = await ctx.call<{ items: NotificationView[]; nextCursor: string }>(
      "GET",
      "/notifications?limit=2",
      bobToken,
    );
    const next = await ctx.call<{ items: NotificationView[] }>(
      "GET",
      `/notifications?limit=2&cursor=${paged.body.nextCursor}`,
      bobToken,
    );
    expect(String(next.body.items[0]?.id) < String(paged.body.items[1]?.id)).toBe(true);
    const anonymous = await ctx.call<Problem>("GET", "/notifications");
    expect(anonymous.status).toBe(401);
  });

  test("a WebSocket without a valid token is refused", async () => {
    const refused = await fetch(`${ctx.running.url}/ws?token=not-a-token`, {
      headers: {
        upgrade: "websocket",
        connection: "Upgrade",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        "sec-websocket-version": "13",
      },
    });
    expect(refused.status).toBe(401);
  });

  test("a malformed entry and an unknown type end in <stream>:dlq without blocking the entries behind", async () => {
    const stream = ctx.config.ORDERS_STREAM;
    await ctx.redis.xadd(stream, "*", ...unreadableEntryFields("bad"));
    const unknown = unknownTypeEvent("order.exploded");
    await publishEvent(ctx.redis, stream, unknown);
    const behind = orderCreated(bob);
    await publishEvent(ctx.redis, stream, behind);
    await eventually("the entry behind to be handled", async () => (await rowsOf(behind.id)).length === 4, {
      timeoutMs: 3000,
    });
    const letters = await eventually("two dead letters", async () => {
      const found = await listDeadLetters(ctx.redis, stream);
      return found.length >= 2 ? found : undefined;
    });
    expect(letters.every((l) => l.group === "notification")).toBe(true);
    expect(letters.some((l) => l.error.includes("unknown event type order.exploded"))).toBe(true);
  });

  test("retention: done notifications past the cutoff are deleted, pending ones never", async () => {
    const old = orderCreated();
    const recent = orderCreated();
    await publishEvent(ctx.redis, ctx.config.ORDERS_STREAM, old);
    await publishEvent(ctx.redis, ctx.config.ORDERS_STREAM, recent);
    await eventually("both sent", async () => {
      const rows = [...(await rowsOf(old.id)), ...(await rowsOf(recent.id))];
      return rows.length === 8 && rows.every((r) => r.status === "sent");
    });
    // The old event's notifications were made 40 days ago; one of them is still pending.
    await sql`update notification set created_at = now() - interval '40 days' where event_id = ${old.id}`.execute(
      ctx.db,
    );
    await sql`update notification set status = 'pending' where event_id = ${old.id} and channel = 'webhook'`.execute(
      ctx.db,
    );
    const pruned = await pruneNotifications(ctx.db, new Date(Date.now() - 30 * 86_400_000));
    expect(pruned).toBeGreaterThanOrEqual(3);
    expect((await rowsOf(old.id)).map((r) => r.channel)).toEqual(["webhook"]);
    expect(await rowsOf(recent.id)).toHaveLength(4);
  });
});
