/**
 * A lane that cannot keep up (a slow webhook endpoint, one call at a time, two in hand) takes no
 * more than its batch from the consumer: the rest is stored due and claimed as the lane frees up.
 * Every notification is still sent, once.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { publishEvent } from "@platform/events";
import { eventually } from "@platform/testing";
import { orderCreated } from "./fixtures.js";
import { createNotificationTestContext, type NotificationTestContext } from "./test-context.js";

setDefaultTimeout(30_000);

let ctx: NotificationTestContext;
beforeAll(async () => {
  ctx = await createNotificationTestContext({ WEBHOOK_CONCURRENCY: "1", DELIVERY_BATCH_SIZE: "2" });
});
afterAll(() => ctx.close());

describe("a lane that cannot keep up", () => {
  test("holds no more than its batch; the rest waits in the database and every one is sent once", async () => {
    ctx.webhookReceiverSettings.delayMs = 100;
    try {
      const events = Array.from({ length: 12 }, () => orderCreated());
      for (const event of events) await publishEvent(ctx.redis, ctx.config.ORDERS_STREAM, event);
      const ids = events.map((e) => e.id);
      // While the webhook lane is busy, most of its notifications wait, due, in the database.
      const waiting = await eventually("webhook notifications waiting in the database", async () => {
        const rows = await ctx.db
          .selectFrom("notification")
          .select(["id", "nextAttemptAt"])
          .where("eventId", "in", ids)
          .where("channel", "=", "webhook")
          .where("status", "=", "pending")
          .execute();
        return rows.length >= 6 ? rows : undefined;
      });
      expect(waiting.length).toBeGreaterThanOrEqual(6);
      await eventually(
        "every webhook sent",
        async () => {
          const sent = await ctx.db
            .selectFrom("notification")
            .select("id")
            .where("eventId", "in", ids)
            .where("status", "=", "sent")
            .execute();
          return sent.length === ids.length * 4;
        },
        { timeoutMs: 20_000 },
      );
      const received = ctx.webhooks.map((w) => JSON.parse(w.body).eventId as string);
      for (const id of ids) expect(received.filter((r) => r === id)).toHaveLength(1);
    } finally {
      ctx.webhookReceiverSettings.delayMs = 0;
    }
  });
});
