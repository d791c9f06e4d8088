/**
 * Payments on real Postgres, with the order service's billing answered over a real socket and a
 * provider that records what it is told (and makes its payments when the test says): calling off
 * the provider's side of a payment whose order is gone (a payment declined for good, a provider away
 * when told, a payment started while its order is being cancelled), and an admin's refund of an
 * order that has not taken its payment yet.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createDatabase, migrateToLatest } from "@platform/db";
import { AppError, dependencyUnavailable } from "@platform/errors";
import { createLogger } from "@platform/logging";
import { eventually, freePort, orderStatusUpdatedEvent, testInfra, uniqueName } from "@platform/testing";
import { type Kysely, sql } from "kysely";
import { OrderClient } from "../src/clients/order-client.js";
import { SandboxProvider } from "../src/providers/sandbox.js";
import { checkoutRoutes } from "../src/routes/checkout.js";
import { migrations } from "../src/store/migrations/index.js";
import { findPayment, insertPayment, type PaymentDb, updatePayment } from "../src/store/payment.store.js";
import type { PaymentDatabase } from "../src/store/payment.table.js";
import { orderCancelled } from "../src/use-cases/order-cancelled.js";
import type { PaymentDeps } from "../src/use-cases/payment-deps.js";
import { refundJob } from "../src/use-cases/refund-job.js";
import { refundOrder } from "../src/use-cases/refund-order.js";
import { confirmWithCard } from "../src/use-cases/sandbox-confirm.js";
import { startPayment } from "../src/use-cases/start-payment.js";

setDefaultTimeout(30_000);

/**
 * The sandbox, recording every call-off; `away` makes them fail, `holdCreate` holds createPayment,
 * `refuseCreate` refuses it.
 */
class RecordingProvider extends SandboxProvider {
  readonly calledOff: string[] = [];
  away = false;
  holdCreate: Promise<void> | undefined;
  /** Refuses to make payments, as Stripe does an amount under its minimum. */
  refuseCreate = false;
  creating = 0;
  override async createPayment(payment: { paymentId: string }) {
    this.creating++;
    await this.holdCreate;
    if (this.refuseCreate)
      throw new AppError("INVALID_TRANSITION", "The payment provider refused the request.");
    return super.createPayment(payment);
  }
  override async cancelPayment(reference?: string): Promise<void> {
    if (this.away) throw dependencyUnavailable("payment provider");
    if (reference) this.calledOff.push(reference);
  }
}

const schema = uniqueName("t_calloff");
const logger = createLogger({ service: "payment-test", level: "silent" });
const provider = new RecordingProvider("whsec_test");
/** The orders the stand-in order service knows: id → status. */
const orderStatuses = new Map<string, string>();
const owner = { id: Bun.randomUUIDv7(), email: "buyer@example.com", name: "Buyer" };
let db: PaymentDb;
let deps: PaymentDeps;
let orderService: ReturnType<typeof Bun.serve>;

beforeAll(async () => {
  const { postgresUrl } = await testInfra();
  db = createDatabase<PaymentDatabase>({ url: postgresUrl, schema });
  await migrateToLatest(db as Kysely<unknown>, schema, migrations);
  orderService = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(request) {
      const orderId = new URL(request.url).pathname.split("/")[3] ?? "";
      const status = orderStatuses.get(orderId);
      if (!status) return new Response(null, { status: 404 });
      return Response.json({ orderId, status, totalCents: 2500, currency: "EUR", owner });
    },
  });
  deps = {
    db,
    provider,
    orders: new OrderClient({ baseUrl: `http://127.0.0.1:${orderService.port}`, timeoutMs: 2_000, logger }),
    relay: { nudge: () => {} },
    eventsStream: "events:payments",
    maxAttempts: 3,
    logger,
  };
});

afterAll(async () => {
  orderService.stop(true);
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
  await db.destroy();
});

/** A payment of a new order, with the provider's side made, in the given status. */
async function paymentIn(status: "PENDING" | "FAILED") {
  const id = Bun.randomUUIDv7();
  const orderId = Bun.randomUUIDv7();
  await insertPayment(db, {
    id,
    orderId,
    userId: owner.id,
    provider: "sandbox",
    amountCents: 2500,
    currency: "EUR",
    owner,
    requestId: "req-pay",
  });
  const reference = `pi_${id}`;
  await updatePayment(db, id, { status, reference, failedAttempts: status === "FAILED" ? 3 : 0 });
  return { id, orderId, reference };
}

/** The buyer, as their token says. */
const principal = { userId: owner.id, email: owner.email, role: "user" as const, issuedAt: 0, expiresAt: 0 };

/** Holds the provider's createPayment until the returned function is called. */
function holdCreate(): () => void {
  let release = () => {};
  provider.holdCreate = new Promise<void>((resolve) => {
    release = resolve;
  });
  return () => {
    release();
    provider.holdCreate = undefined;
  };
}

const cancelled = (orderId: string, from = "PENDING_PAYMENT" as const) =>
  orderStatusUpdatedEvent({ orderId, user: owner, from, to: "CANCELLED" });

describe("a cancelled order's payment is called off with the provider", () => {
  test("a payment declined for good too: a declined payment intent still takes another card", async () => {
    const payment = await paymentIn("FAILED");
    await orderCancelled(deps, cancelled(payment.orderId));
    expect(provider.calledOff).toContain(payment.reference);
    expect(await findPayment(db, payment.id)).toMatchObject({
      status: "FAILED",
      orderCancelled: true,
      callOffOwed: false,
    });
  });

  test("a provider away when told hears it later from the refund job; a redelivered cancellation changes nothing", async () => {
    const payment = await paymentIn("PENDING");
    provider.away = true;
    await orderCancelled(deps, cancelled(payment.orderId));
    await orderCancelled(deps, cancelled(payment.orderId)); // the event again: remembered already
    expect(provider.calledOff).not.toContain(payment.reference);
    expect(await findPayment(db, payment.id)).toMatchObject({ status: "CANCELLED", callOffOwed: true });

    provider.away = false;
    const job = refundJob(deps, { intervalMs: 100 });
    job.start();
    try {
      await eventually(
        "the refund job calling it off",
        async () => (await findPayment(db, payment.id))?.callOffOwed === false,
      );
    } finally {
      await job.stop();
    }
    expect(provider.calledOff.filter((r) => r === payment.reference)).toHaveLength(1);
  });

  test("a payment started while its order is cancelled: 409, its provider side called off, no secret handed out", async () => {
    const orderId = Bun.randomUUIDv7();
    orderStatuses.set(orderId, "PENDING_PAYMENT");
    const made = holdCreate();
    const starting = startPayment(deps, { orderId, principal, requestId: "req-start" });
    const settled = starting.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    // The payment row exists, its provider side is being made: now the order is cancelled.
    await eventually("the payment stored", () => findPaymentOf(orderId));
    orderStatuses.set(orderId, "CANCELLED");
    await orderCancelled(deps, cancelled(orderId));
    made();

    const outcome = await settled;
    expect(outcome).toMatchObject({ error: { code: "INVALID_TRANSITION" } });
    const payment = await findPaymentOf(orderId);
    expect(payment).toMatchObject({ status: "CANCELLED", callOffOwed: false });
    expect(provider.calledOff).toContain(payment?.reference as string);
  });
});

describe("starting a payment", () => {
  test("twice at once (a double click) answers both with the same checkout", async () => {
    const orderId = Bun.randomUUIDv7();
    orderStatuses.set(orderId, "PENDING_PAYMENT");
    const made = holdCreate();
    const creatingBefore = provider.creating;
    const both = Promise.all([
      startPayment(deps, { orderId, principal, requestId: "req-click-1" }),
      startPayment(deps, { orderId, principal, requestId: "req-click-2" }),
    ]);
    // Both found the payment without its provider side and asked the provider for one.
    await eventually("both asking the provider", () => provider.creating === creatingBefore + 2);
    made();
    const [first, second] = await both;
    expect(first.payment.clientSecret).toBeString();
    expect(second.payment.clientSecret).toBe(first.payment.clientSecret as string);
    expect((await findPaymentOf(orderId))?.clientSecret).toBe(first.payment.clientSecret);
  });
});

describe("a payment the provider refuses to make (an amount under its minimum)", () => {
  test("fails at once with payment.failed, so the order is cancelled and its stock released now", async () => {
    const orderId = Bun.randomUUIDv7();
    orderStatuses.set(orderId, "PENDING_PAYMENT");
    provider.refuseCreate = true;
    try {
      await expect(
        startPayment(deps, { orderId, principal, requestId: "req-refused" }),
      ).rejects.toMatchObject({
        code: "INVALID_TRANSITION",
      });
    } finally {
      provider.refuseCreate = false;
    }
    expect((await findPaymentOf(orderId))?.status).toBe("FAILED");
    const failed = await db
      .selectFrom("outbox")
      .select("payload")
      .where("type", "=", "payment.failed")
      .execute();
    expect(failed.filter((row) => JSON.stringify(row.payload).includes(orderId))).toHaveLength(1);
  });
});

describe("an open payment whose order was cancelled before its event came", () => {
  test("is not handed out again: 409, called off with the provider, remembered as cancelled", async () => {
    const payment = await paymentIn("PENDING");
    orderStatuses.set(payment.orderId, "CANCELLED"); // the order.status.updated event not handled yet
    await expect(
      startPayment(deps, { orderId: payment.orderId, principal, requestId: "req-again" }),
    ).rejects.toMatchObject({ code: "INVALID_TRANSITION" });
    expect(provider.calledOff).toContain(payment.reference);
    expect(await findPayment(db, payment.id)).toMatchObject({
      status: "CANCELLED",
      orderCancelled: true,
      callOffOwed: false,
    });
  });

  test("takes no card at the sandbox's confirm: 409, nothing charged", async () => {
    const payment = await paymentIn("PENDING");
    orderStatuses.set(payment.orderId, "CANCELLED");
    const stored = await findPayment(db, payment.id);
    if (!stored) throw new Error("no payment");
    await expect(
      confirmWithCard(deps, { payment: stored, card: "4242424242424242", requestId: "req-card" }),
    ).rejects.toMatchObject({ code: "INVALID_TRANSITION" });
    expect(await findPayment(db, payment.id)).toMatchObject({ status: "CANCELLED", orderCancelled: true });
  });
});

describe("the sandbox's checkout page", () => {
  test("says on the page, as a 503, that the order service cannot tell whether the order still waits; nothing charged", async () => {
    const payment = await paymentIn("PENDING");
    await updatePayment(db, payment.id, { clientSecret: "secret_checkout" });
    const orderServiceAway = new OrderClient({
      baseUrl: `http://127.0.0.1:${await freePort()}`,
      timeoutMs: 2_000,
      logger,
    });
    const page = await checkoutRoutes({ ...deps, orders: orderServiceAway }).handle(
      new Request(`http://payment.test/payments/sandbox/${payment.id}/checkout`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ client_secret: "secret_checkout", card: "4242424242424242" }),
      }),
    );
    expect([page.status, page.headers.get("content-type")]).toEqual([503, "text/html; charset=utf-8"]);
    expect(await page.text()).toContain("is unavailable");
    expect((await findPayment(db, payment.id))?.status).toBe("PENDING");
  });
});

describe("an admin's refund", () => {
  test("of an order that has not taken its payment yet (payment.succeeded on its way) is 409 and gives nothing back", async () => {
    const payment = await paymentIn("PENDING");
    await updatePayment(db, payment.id, { status: "SUCCEEDED" });
    orderStatuses.set(payment.orderId, "PENDING_PAYMENT");
    await expect(
      refundOrder(deps, { orderId: payment.orderId, requestId: "req-refund" }),
    ).rejects.toMatchObject({
      code: "INVALID_TRANSITION",
    });
    expect(await findPayment(db, payment.id)).toMatchObject({ status: "SUCCEEDED", refundedCents: 0 });
    const refunds = await db.selectFrom("refund").select("id").where("paymentId", "=", payment.id).execute();
    expect(refunds).toEqual([]);

    orderStatuses.set(payment.orderId, "CONFIRMED"); // the order took it: now it can be given back
    const { refund } = await refundOrder(deps, { orderId: payment.orderId, requestId: "req-refund" });
    expect(refund).toMatchObject({ amountCents: 2500 });
    expect(await findPayment(db, payment.id)).toMatchObject({ status: "REFUNDED", refundedCents: 2500 });
  });
});

async function findPaymentOf(orderId: string) {
  const row = await db.selectFrom("payment").select("id").where("orderId", "=", orderId).executeTakeFirst();
  return row && findPayment(db, row.id);
}
