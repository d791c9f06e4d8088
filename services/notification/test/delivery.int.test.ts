/**
 * Delivery lanes (ARCHITECTURE §7): channels do not hold each other back; the pooled SMTP transport
 * survives a server restart; batched outcome writes keep one row per (event, channel) with the
 * right attempts and status; two replicas never send the same notification twice.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { publishEvent } from "@platform/events";
import { createLogger } from "@platform/logging";
import { eventually } from "@platform/testing";
import { sql } from "kysely";
import { OutcomeWriter } from "../src/delivery/outcome-writer.js";
import { createNotificationRuntime } from "../src/runtime.js";
import { ann, orderCreated } from "./fixtures.js";
import { createNotificationTestContext, type NotificationTestContext } from "./test-context.js";

setDefaultTimeout(30_000);

let ctx: NotificationTestContext;
beforeAll(async () => {
  ctx = await createNotificationTestContext();
});
afterAll(() => ctx.close());

const rowsOf = (eventId: string) =>
  ctx.db.selectFrom("notification").selectAll().where("eventId", "=", eventId).orderBy("channel").execute();

/** An event's webhook notification as stored in a test context's database. */
const webhookOf = (context: NotificationTestContext, eventId: string) =>
  context.db
    .selectFrom("notification")
    .selectAll()
    .where("eventId", "=", eventId)
    .where("channel", "=", "webhook")
    .executeTakeFirst();

/**
 * On a notification service of its own (`settings`), one order's webhook troubled by `trouble` (the
 * receiver's settings and the event's id): its row once it failed for good, others going through.
 */
async function failedWhileOthersGetThrough(
  settings: Record<string, string>,
  timeoutMs: number,
  trouble: (receiver: NotificationTestContext["webhookReceiverSettings"], eventId: string) => void,
) {
  const own = await createNotificationTestContext(settings);
  try {
    const troubled = orderCreated();
    trouble(own.webhookReceiverSettings, troubled.id);
    await publishEvent(own.redis, own.config.ORDERS_STREAM, troubled);
    return await eventually(
      "the webhook failed for good",
      async () => {
        await publishEvent(own.redis, own.config.ORDERS_STREAM, orderCreated()); // others go through
        const row = await webhookOf(own, troubled.id);
        return row?.status === "failed" ? row : undefined;
      },
      { timeoutMs, intervalMs: 100 },
    );
  } finally {
    await own.close();
  }
}

const statuses = async (eventId: string) =>
  Object.fromEntries((await rowsOf(eventId)).map((r) => [r.channel, r.status]));

describe("delivery lanes", () => {
  test("a webhook endpoint that is slow holds back neither the log nor the WebSocket", async () => {
    ctx.webhookReceiverSettings.delayMs = 2_000;
    try {
      const event = orderCreated();
      await publishEvent(ctx.redis, ctx.config.ORDERS_STREAM, event);
      const seen = await eventually("log and websocket sent", async () => {
        const now = await statuses(event.id);
        return now.log === "sent" && now.websocket === "sent" ? now : undefined;
      });
      expect(seen.webhook).toBe("pending"); // still waiting on the slow endpoint
      await eventually("the webhook sent too", async () => (await statuses(event.id)).webhook === "sent");
    } finally {
      ctx.webhookReceiverSettings.delayMs = 0;
    }
  });

  test("a message the channel times out on while others get through spends its attempts; it does not stay pending", async () => {
    const failed = await failedWhileOthersGetThrough(
      { WEBHOOK_TIMEOUT_MS: "300" },
      15_000,
      (settings, id) => {
        settings.slowFor = { text: id, delayMs: 1_000 };
      },
    );
    expect(failed.attempts).toBe(3); // MAX_ATTEMPTS
  });

  test("a message its receiver's proxy answers 502 for while others get through spends its attempts; it does not pause the lane for ever", async () => {
    const failed = await failedWhileOthersGetThrough({}, 20_000, (settings, id) => {
      settings.failFor = { text: id, status: 502 };
    });
    expect(failed.attempts).toBe(3); // MAX_ATTEMPTS
  });

  test("a receiver slower than the timeout (it takes each message, late) gets one at most MAX_ATTEMPTS times, then it is failed", async () => {
    const own = await createNotificationTestContext({ WEBHOOK_TIMEOUT_MS: "300" });
    try {
      own.webhookReceiverSettings.delayMs = 1_000; // every message, so no send ever gets an answer in time
      const event = orderCreated();
      await publishEvent(own.redis, own.config.ORDERS_STREAM, event);
      const failed = await eventually(
        "the webhook failed for good",
        async () => {
          const row = await webhookOf(own, event.id);
          return row?.status === "failed" ? row : undefined;
        },
        { timeoutMs: 25_000, intervalMs: 200 },
      );
      expect(failed.attempts).toBe(3); // MAX_ATTEMPTS
      await Bun.sleep(1_200); // the last one's late arrival
      const received = own.webhooks.filter((w) => w.body.includes(event.id));
      expect(received.length).toBeGreaterThanOrEqual(1);
      expect(received.length).toBeLessThanOrEqual(3);
    } finally {
      await own.close();
    }
  });

  test("an SMTP server that takes connections and never greets holds the email pending, spending no attempt (nothing was sent)", async () => {
    const silent = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const own = await createNotificationTestContext({
      SMTP_URL: `smtp://127.0.0.1:${silent.port}`,
      SMTP_TIMEOUT_MS: "300",
    });
    try {
      const event = orderCreated();
      await publishEvent(own.redis, own.config.ORDERS_STREAM, event);
      const email = () =>
        own.db
          .selectFrom("notification")
          .selectAll()
          .where("eventId", "=", event.id)
          .where("channel", "=", "email")
          .executeTakeFirst();
      await eventually("the greeting to time out", async () =>
        (await email())?.lastError?.includes("Greeting"),
      );
      await Bun.sleep(3_000); // MAX_ATTEMPTS (3) spent attempts would have failed it by now
      expect(await email()).toMatchObject({ status: "pending", attempts: 0 });
    } finally {
      await own.close();
      silent.stop(true);
    }
  });

  test("a send that outlasts its lease is not sent a second time by the lane that is sending it", async () => {
    const own = await createNotificationTestContext({ DELIVERY_LEASE_MS: "1000" });
    try {
      own.webhookReceiverSettings.delayMs = 1_800; // answered in time (3 s), but after the lease
      const event = orderCreated();
      await publishEvent(own.redis, own.config.ORDERS_STREAM, event);
      await eventually("the webhook sent", async () => (await webhookOf(own, event.id))?.status === "sent");
      await Bun.sleep(2_000); // a second send begun at the lease's end would have arrived by now
      expect(own.webhooks.filter((w) => w.body.includes(event.id))).toHaveLength(1);
    } finally {
      await own.close();
    }
  });

  test("outcomes refused after an outage are written one by one, and claims start again", async () => {
    const own = await createNotificationTestContext();
    try {
      // Every update of the table fails as the test says: as Postgres restarting (57P01), or refused.
      await sql`create table writer_mode (mode text not null)`.execute(own.db);
      await sql`insert into writer_mode values ('away')`.execute(own.db);
      await sql`
        create function writer_fails() returns trigger language plpgsql as $$
        begin
          if (select mode from writer_mode) = 'away' then
            raise exception 'restarting' using errcode = 'admin_shutdown';
          end if;
          raise exception 'refused';
        end $$`.execute(own.db);
      await sql`create trigger writer_fails before update on notification for each statement execute function writer_fails()`.execute(
        own.db,
      );
      const writer = new OutcomeWriter({
        db: own.db,
        logger: createLogger({ service: "notification", level: "silent" }),
      });
      writer.record({ id: "01900000-0000-7000-8000-0000000000f1", sentAt: new Date() });
      const written = writer.flush();
      await eventually("the writer to wait for Postgres", () => writer.backlogged);
      await sql`update writer_mode set mode = 'refuse'`.execute(own.db);
      await written;
      // Claims wait while outcomes wait for Postgres; once the batch is dealt with, they must not.
      expect(writer.backlogged).toBe(false);
    } finally {
      await own.close();
    }
  });

  test("the pooled SMTP transport recovers after the server restarts", async () => {
    const first = orderCreated();
    await publishEvent(ctx.redis, ctx.config.ORDERS_STREAM, first);
    await eventually("the first email", () => ctx.smtp.forEvent(first.id).length === 1);
    await ctx.smtp.stop();
    await ctx.smtp.start();
    const second = orderCreated();
    await publishEvent(ctx.redis, ctx.config.ORDERS_STREAM, second);
    await eventually("the second email", () => ctx.smtp.forEvent(second.id).length === 1, {
      timeoutMs: 15_000,
    });
    expect((await rowsOf(second.id)).find((r) => r.channel === "email")).toMatchObject({
      status: "sent",
      attempts: 1,
    });
  });

  test("a burst of events: one row per (event, channel), each sent once with one attempt, one email each", async () => {
    const events = Array.from({ length: 120 }, () => orderCreated());
    await Promise.all(events.map((event) => publishEvent(ctx.redis, ctx.config.ORDERS_STREAM, event)));
    const ids = events.map((e) => e.id);
    await eventually(
      "every notification sent",
      async () => {
        const { rows } = await sql<{ n: number }>`
          select count(*)::int as n from notification where event_id = any(${ids}::text[]) and status = 'sent'`.execute(
          ctx.db,
        );
        return rows[0]?.n === ids.length * 4;
      },
      { timeoutMs: 20_000 },
    );
    const { rows } = await sql<{ channel: string; rows: number; attempts: number }>`
      select channel, count(*)::int as rows, sum(attempts)::int as attempts
      from notification where event_id = any(${ids}::text[]) group by channel order by channel`.execute(
      ctx.db,
    );
    expect(rows).toEqual(
      ["email", "log", "webhook", "websocket"].map((channel) => ({ channel, rows: 120, attempts: 120 })),
    );
    for (const id of ids) expect(ctx.smtp.forEvent(id)).toHaveLength(1);
  });

  test("two replicas delivering side by side never send the same notification twice", async () => {
    const logger = createLogger({ service: "notification", level: "silent" });
    const replica = createNotificationRuntime(ctx.config, {
      db: ctx.db,
      redis: ctx.redis,
      verifier: ctx.verifier,
      logger,
    });
    replica.worker.start();
    try {
      const events = Array.from({ length: 80 }, () => orderCreated(ann));
      for (const event of events) await publishEvent(ctx.redis, ctx.config.ORDERS_STREAM, event);
      await eventually("every email", () => events.every((e) => ctx.smtp.forEvent(e.id).length >= 1), {
        timeoutMs: 20_000,
      });
      await Bun.sleep(300);
      for (const event of events) expect(ctx.smtp.forEvent(event.id)).toHaveLength(1);
      const webhookIds = ctx.webhooks.map((w) => JSON.parse(w.body).eventId as string);
      for (const event of events) expect(webhookIds.filter((id) => id === event.id)).toHaveLength(1);
    } finally {
      await replica.worker.stop();
      replica.email.close();
    }
  });
});
