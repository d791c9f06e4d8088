/**
 * The crash matrix (ARCHITECTURE §12): orders placed under load by careful clients (each order has
 * an Idempotency-Key and is retried with it until it gets a final answer, then is paid with the
 * sandbox provider's 4242 card, retried likewise; some are cancelled after, and so refunded),
 * while each service in turn is killed with SIGKILL and each dependency is crashed and restarted
 * (Postgres, Redis, MongoDB, the SMTP server). Afterwards, once everything has settled:
 * - every acknowledged order is stored exactly once, and nothing else is; each has one payment,
 *   succeeded, or refunded exactly once for an order cancelled after it was paid;
 * - each SKU's stock is its initial stock less what the orders still standing bought, never below
 *   zero, with nothing left reserved;
 * - every event has one notification per channel, all sent; every order has its email at the SMTP
 *   server (a copy allowed per crash of the notification service or the SMTP server), copies
 *   sharing one Message-ID; every event is in the activity log once; nothing was dead-lettered;
 * - reconciliation finds no drift, and no process exited on its own.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createDatabase } from "@platform/db";
import { eventually, uniqueName } from "@platform/testing";
import { Redis } from "ioredis";
import { sql } from "kysely";
import { MongoClient } from "mongodb";
import { CRASH_ADMIN, type CrashPlatform, startCrashPlatform } from "./crash-platform.js";

setDefaultTimeout(240_000);

const CLIENTS = 6;
/** Plenty of stock, and one SKU that runs out, so refusals happen under faults too. */
const CATALOG = [
  { sku: "CRASH-A", initialStock: 5_000 },
  { sku: "CRASH-B", initialStock: 5_000 },
  { sku: "CRASH-C", initialStock: 5_000 },
  { sku: "CRASH-SCARCE", initialStock: 40 },
];

let platform: CrashPlatform;
beforeAll(async () => {
  platform = await startCrashPlatform();
}, 120_000);
afterAll(async () => {
  await platform?.stop();
});

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** One call through the gateway; a network failure (the gateway is down) is status 0. */
async function call(
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  key?: string,
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  if (key) headers["idempotency-key"] = key;
  try {
    const response = await fetch(`${platform.gateway}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  } catch {
    return { status: 0, body: {} };
  }
}

/** What a careful client does: retries what may pass (no answer, 5xx, 429, a key still in progress). */
async function untilFinal(attempt: () => Promise<Answer>, what: string): Promise<Answer> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const answer = await attempt();
    const inProgress = answer.status === 409 && answer.body.code === "IDEMPOTENCY_KEY_IN_PROGRESS";
    const retry = answer.status === 0 || answer.status >= 500 || answer.status === 429 || inProgress;
    if (!retry) return answer;
    if (Date.now() > deadline) throw new Error(`${what}: no final answer in time (last ${answer.status})`);
    await Bun.sleep(150);
  }
}

const login = async (email: string, password: string) =>
  String(
    (await untilFinal(() => call("POST", "/auth/login", undefined, { email, password }), "login")).body
      .accessToken,
  );

interface Placed {
  orderId: string;
  lines: Array<{ sku: string; quantity: number }>;
  cancelled: boolean;
  /** Not paid within its window (its client was held up by the faults): cancelled by the platform. */
  expired?: boolean;
  /** What the client saw that made it count the order as unpaid (for a failure's explanation). */
  unpaidBecause?: string;
}

/** A client placing orders until told to stop; every acknowledged order is recorded. */
async function client(token: string, running: () => boolean, placed: Placed[], refused: { count: number }) {
  let n = 0;
  while (running()) {
    n++;
    const lines = CATALOG.filter(() => Math.random() < 0.5)
      .slice(0, 2)
      .map(({ sku }) => ({ sku, quantity: 1 + Math.floor(Math.random() * 3) }));
    if (lines.length === 0) lines.push({ sku: "CRASH-A", quantity: 1 });
    const key = uniqueName("crash");
    const answer = await untilFinal(() => call("POST", "/orders", token, { items: lines }, key), "an order");
    if (answer.status === 409 && answer.body.code === "INSUFFICIENT_STOCK") {
      refused.count++;
      continue;
    }
    if (answer.status !== 201)
      throw new Error(`unexpected answer ${answer.status} ${JSON.stringify(answer.body)}`);
    const order: Placed = { orderId: String(answer.body.id), lines, cancelled: false };
    placed.push(order);
    const unpaid = await pay(token, order.orderId);
    if (unpaid) {
      order.cancelled = true;
      order.expired = true;
      order.unpaidBecause = unpaid;
      continue;
    }
    if (n % 7 === 0) {
      // Cancelling is not idempotent: a retry after a lost answer finds the order cancelled already.
      const cancel = await untilFinal(
        () => call("POST", `/orders/${order.orderId}/cancel`, token),
        "a cancel",
      );
      const already = cancel.status === 409 && cancel.body.code === "INVALID_TRANSITION";
      if (cancel.status !== 200 && !already) throw new Error(`cancel answered ${cancel.status}`);
      order.cancelled = true;
    }
    await Bun.sleep(20);
  }
}

/**
 * Pays an order with the sandbox's 4242 card: starts its payment (the same one on a retry), then
 * confirms it. A confirmation whose answer was lost finds the payment over (409) on its retry: taken,
 * or called off because the order's window ended first. Resolves to undefined when the money was
 * taken, else to what was seen.
 */
async function pay(token: string, orderId: string): Promise<string | undefined> {
  const over = (answer: Answer) => answer.status === 409 && answer.body.code === "INVALID_TRANSITION";
  const started = await untilFinal(() => call("POST", `/orders/${orderId}/payment`, token), "a payment");
  // The window ended before the payment started.
  if (over(started)) return `starting it: ${JSON.stringify(started.body)}`;
  if (started.status !== 201 && started.status !== 200)
    throw new Error(`payment answered ${started.status} ${JSON.stringify(started.body)}`);
  const paid = await untilFinal(
    () =>
      call("POST", `/payments/sandbox/${started.body.paymentId}/confirm`, token, {
        card: "4242 4242 4242 4242",
      }),
    "a confirmation",
  );
  if (paid.status === 200 && paid.body.status === "SUCCEEDED") return undefined;
  if (!over(paid)) throw new Error(`confirmation answered ${paid.status} ${JSON.stringify(paid.body)}`);
  const now = await untilFinal(() => call("GET", `/payments?orderId=${orderId}`, token), "a payment's state");
  const status = (now.body.items as Array<{ status: string }> | undefined)?.[0]?.status;
  return status === "SUCCEEDED"
    ? undefined
    : `confirming it: ${JSON.stringify(paid.body)}; then ${now.status} ${status}`;
}

describe("the crash matrix", () => {
  test("under load, through a kill of every service and a crash of every dependency, nothing is lost, doubled or oversold", async () => {
    const adminToken = await login(CRASH_ADMIN.email, CRASH_ADMIN.password);
    for (const { sku, initialStock } of CATALOG) {
      const created = await call("POST", "/products", adminToken, {
        sku,
        name: `Crash ${sku}`,
        priceCents: 1000,
        initialStock,
        lowStockThreshold: 5,
      });
      expect(created.status).toBe(201);
    }
    const tokens = await Promise.all(
      Array.from({ length: CLIENTS }, async (_, i) => {
        const email = `crash-${i}-${uniqueName("c")}@example.com`;
        const registered = await call("POST", "/users", undefined, {
          email,
          name: `Client ${i}`,
          password: "crash-pass-1",
        });
        expect(registered.status).toBe(201);
        return login(email, "crash-pass-1");
      }),
    );

    const placed: Placed[] = [];
    const refused = { count: 0 };
    let loading = true;
    const load = Promise.all(tokens.map((token) => client(token, () => loading, placed, refused)));

    const { supervisor, postgres, redis, mongo, smtp } = platform;
    const killService = async (name: string) => {
      supervisor.kill(name);
      await Bun.sleep(500);
      await supervisor.whenReady(name);
    };
    const faults: Array<[string, () => Promise<void>]> = [
      ["order", () => killService("order")],
      ["payment", () => killService("payment")],
      ["inventory", () => killService("inventory")],
      [
        "postgres",
        async () => {
          await postgres.kill();
          await Bun.sleep(3_000);
          await postgres.start();
        },
      ],
      ["notification", () => killService("notification")],
      ["activity", () => killService("activity")],
      [
        "redis",
        async () => {
          await redis.kill();
          await Bun.sleep(2_000);
          await redis.start();
        },
      ],
      ["gateway", () => killService("gateway")],
      [
        "smtp",
        async () => {
          await smtp.stop();
          await Bun.sleep(3_000);
          await smtp.start();
        },
      ],
      [
        // A graceful stop: without a real mongod, the stand-in (mongo-java-server on H2) keeps its last
        // second of writes in memory, which a SIGKILL would lose; a real mongod journals them.
        "mongodb",
        async () => {
          await mongo.stop();
          await Bun.sleep(3_000);
          await mongo.start();
        },
      ],
      ["user", () => killService("user")],
    ];
    await Bun.sleep(3_000);
    for (const [name, fault] of faults) {
      platform.note(`fault: ${name}`);
      await fault();
      await Bun.sleep(2_500);
    }
    loading = false;
    await load;
    const notificationCrashes = faults.filter(([name]) => name === "notification" || name === "smtp").length;

    // Settle: every Commit and Return done, every reservation of an order that never was expired.
    const redisClient = new Redis(redis.url);
    const db = createDatabase({ url: postgres.url, schema: "orders", poolMax: 2 });
    const notificationsDb = createDatabase({ url: postgres.url, schema: "notifications", poolMax: 2 });
    const paymentsDb = createDatabase({ url: postgres.url, schema: "payments", poolMax: 2 });
    const mongoClient = new MongoClient(mongo.url);
    try {
      const levels = async () => {
        const fields = await redisClient.hgetall("inventory:{stock}:levels");
        return Object.fromEntries(
          CATALOG.map(({ sku }) => [
            sku,
            { available: Number(fields[`${sku}:available`]), reserved: Number(fields[`${sku}:reserved`]) },
          ]),
        );
      };
      await eventually(
        "nothing reserved any more",
        async () => Object.values(await levels()).every((level) => level.reserved === 0),
        { timeoutMs: 60_000, intervalMs: 500 },
      ).catch(async (error) => {
        // What still holds stock, for the failure's explanation.
        const orders = await sql<{ status: string; n: number }>`
          select status, count(*)::int as n from "order" group by status`.execute(db);
        const tasks = await sql<{ action: string; attempts: number; lastError: string | null }>`
          select action, attempts, last_error as "lastError" from reservation_task limit 20`.execute(db);
        const payments = await sql<{ status: string; n: number }>`
          select status, count(*)::int as n from payment group by status`.execute(paymentsDb);
        console.error("levels:", await levels());
        console.error("orders by status:", orders.rows, "tasks:", tasks.rows, "payments:", payments.rows);
        console.error("groups on events:payments:", await redisClient.xinfo("GROUPS", "events:payments"));
        throw error;
      });

      // Every acknowledged order stored exactly once, and no other order.
      const stored = (await sql<{ id: string; status: string }>`select id, status from "order"`.execute(db))
        .rows;
      expect(stored.map((o) => o.id).sort()).toEqual(placed.map((o) => o.orderId).sort());
      const statusOf = new Map(stored.map((o) => [o.id, o.status]));
      for (const order of placed) {
        expect({
          order: order.orderId,
          status: statusOf.get(order.orderId),
          unpaid: order.unpaidBecause,
        }).toEqual({
          order: order.orderId,
          status: order.cancelled ? "CANCELLED" : "CONFIRMED",
          unpaid: order.unpaidBecause,
        });
      }
      expect(placed.length).toBeGreaterThan(50);

      // One payment per order: taken for a standing order; refunded once for a cancelled one.
      await eventually(
        "every cancelled order's payment refunded",
        async () => {
          const { rows } = await sql<{ n: number }>`
            select count(*)::int as n from payment where status = 'REFUNDED'`.execute(paymentsDb);
          return rows[0]?.n === placed.filter((o) => o.cancelled && !o.expired).length;
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      const payments = (
        await sql<{ orderId: string; status: string; refunds: number }>`
          select p.order_id as "orderId", p.status,
                 (select count(*)::int from refund r where r.payment_id = p.id and r.status = 'SUCCEEDED') as refunds
          from payment p`.execute(paymentsDb)
      ).rows;
      expect(payments.map((p) => p.orderId).sort()).toEqual(placed.map((o) => o.orderId).sort());
      const paymentOf = new Map(payments.map((p) => [p.orderId, p]));
      for (const order of placed) {
        expect({ order: order.orderId, ...paymentOf.get(order.orderId) }).toEqual({
          order: order.orderId,
          orderId: order.orderId,
          status: order.expired ? "CANCELLED" : order.cancelled ? "REFUNDED" : "SUCCEEDED",
          refunds: order.cancelled && !order.expired ? 1 : 0,
        });
      }

      // Stock: initial less what the standing orders bought; never negative.
      const now = await levels();
      for (const { sku, initialStock } of CATALOG) {
        const sold = placed
          .filter((o) => !o.cancelled)
          .flatMap((o) => o.lines)
          .filter((line) => line.sku === sku)
          .reduce((sum, line) => sum + line.quantity, 0);
        expect({ sku, available: now[sku]?.available }).toEqual({ sku, available: initialStock - sold });
        expect(now[sku]?.available).toBeGreaterThanOrEqual(0);
      }

      // Every order event published, notified once per channel (all sent), logged once.
      await eventually("the outbox drained", async () => {
        const { rows } = await sql<{
          n: number;
        }>`select count(*)::int as n from outbox where published_at is null`.execute(db);
        return rows[0]?.n === 0;
      });
      await eventually("the payments outbox drained", async () => {
        const { rows } = await sql<{
          n: number;
        }>`select count(*)::int as n from outbox where published_at is null`.execute(paymentsDb);
        return rows[0]?.n === 0;
      });
      const outboxEvents = (store: typeof db | typeof paymentsDb) =>
        sql<{ eventId: string; type: string }>`select event_id as "eventId", type from outbox order by id`
          .execute(store)
          .then((result) => result.rows);
      const events = [...(await outboxEvents(db)), ...(await outboxEvents(paymentsDb))];
      expect(events.filter((e) => e.type === "order.created")).toHaveLength(placed.length);
      const paidFor = placed.filter((o) => !o.expired);
      expect(events.filter((e) => e.type === "payment.succeeded")).toHaveLength(paidFor.length);
      expect(events.filter((e) => e.type === "payment.refunded")).toHaveLength(
        paidFor.filter((o) => o.cancelled).length,
      );
      const eventIds = events.map((e) => e.eventId);
      await eventually(
        "every notification sent",
        async () => {
          const { rows } = await sql<{ sent: number; other: number }>`
            select count(*) filter (where status = 'sent')::int as sent, count(*) filter (where status <> 'sent')::int as other
            from notification where event_id = any(${eventIds}::text[])`.execute(notificationsDb);
          return rows[0]?.sent === eventIds.length * 3 && rows[0]?.other === 0;
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      const perChannel = await sql<{ n: number }>`
        select count(*)::int as n from notification where event_id = any(${eventIds}::text[])
        group by event_id, channel having count(*) > 1`.execute(notificationsDb);
      expect(perChannel.rows).toEqual([]);

      const created = events.filter((e) => e.type === "order.created").map((e) => e.eventId);
      const copies = created.map((id) => smtp.forEvent(id));
      expect(copies.filter((mails) => mails.length === 0)).toEqual([]);
      const extra = copies.reduce((sum, mails) => sum + mails.length - 1, 0);
      expect(extra).toBeLessThanOrEqual(notificationCrashes);
      for (const mails of copies) expect(new Set(mails.map((m) => m.messageId)).size).toBe(1);

      const activity = mongoClient.db("activity").collection("entries");
      const logged = async () =>
        new Set(
          (
            await activity
              .find({ _id: { $in: eventIds } } as never)
              .project({ _id: 1 })
              .toArray()
          ).map((d) => String(d._id)),
        );
      await eventually(
        "every event in the activity log",
        async () => (await logged()).size === eventIds.length,
        {
          timeoutMs: 30_000,
          intervalMs: 500,
        },
      ).catch(async (error) => {
        const found = await logged();
        const missing = events.filter((e) => !found.has(e.eventId));
        console.error("not in the activity log:", missing.length, missing.slice(0, 3));
        console.error("activity group:", await redisClient.xinfo("GROUPS", "events:orders"));
        throw error;
      });
      for (const stream of ["events:orders:dlq", "events:inventory:dlq", "events:payments:dlq"])
        expect(await redisClient.xlen(stream)).toBe(0);

      const { code, output } = await platform.reconcile();
      expect(output).toContain("0 drift(s)");
      expect(code).toBe(0);
      expect(supervisor.unexpectedExits).toEqual([]);
      console.log(
        `crash matrix: ${placed.length} orders acknowledged (${placed.filter((o) => o.cancelled).length} cancelled, ${placed.filter((o) => o.expired).length} of them unpaid in time), ` +
          `${refused.count} refused for stock, ${extra} duplicate email(s), ${faults.length} faults`,
      );
    } catch (error) {
      for (const [name, lines] of Object.entries(platform.logs)) {
        const whole = name.endsWith("(other output)") || name === "supervisor";
        console.error(`--- ${name} (last lines)\n${(whole ? lines : lines.slice(-30)).join("\n")}`);
      }
      throw error;
    } finally {
      redisClient.disconnect();
      await db.destroy();
      await notificationsDb.destroy();
      await paymentsDb.destroy();
      await mongoClient.close();
    }
  });
});
