/**
 * Payments end to end (ARCHITECTURE §13), through the gateway only, once with the sandbox provider
 * and once with the Stripe provider against stripe-mock (a platform each): an order waits
 * PENDING_PAYMENT; paid with Stripe's test cards it is confirmed (4242), declined past its attempts
 * it is cancelled (0002), a 3-D Secure card waits until confirmed again (3155);
 * a paid order that is cancelled is refunded, an admin refunds another; webhooks with a bad
 * signature, replayed or out of order change nothing; an order left unpaid past its window is
 * cancelled, and money that arrives after that goes back. Each outcome with its events, activity
 * and notifications. With the sandbox the customer pays on its confirm route; with Stripe the
 * customer's browser pays through Stripe.js, so the test sends what Stripe then sends: the
 * `payment_intent.*` webhook, signed with the SDK's test helper.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Problem } from "@platform/http";
import { eventually } from "@platform/testing";
import { signSandboxWebhook } from "../../../payment/src/providers/sandbox.js";
import { gatewayClient } from "./gateway-client.js";
import { ADMIN, startPlatform } from "./platform.js";
import { startStripeMock } from "./stripe-mock.js";

setDefaultTimeout(60_000);

const WEBHOOK_SECRET = `whsec_${crypto.getRandomValues(new Uint8Array(24)).toHex()}`;
const CARDS = {
  succeeds: "4242 4242 4242 4242",
  declined: "4000 0000 0000 0002",
  authenticate: "4000 0025 0000 3155",
};
/** Long enough to pay in, short enough to watch one end. */
const WINDOW_SECONDS = 8;

type Provider = "sandbox" | "stripe";

let provider: Provider;
let platform: Awaited<ReturnType<typeof startPlatform>>;
let client: ReturnType<typeof gatewayClient>;
let adminToken: string;
let stripeMock: Awaited<ReturnType<typeof startStripeMock>> | undefined;

/** A platform whose order and payment services use `name`; for Stripe, stripe-mock behind it. */
async function startWith(name: Provider) {
  provider = name;
  stripeMock = name === "stripe" ? await startStripeMock() : undefined;
  platform = await startPlatform({
    order: { PAYMENT_PROVIDER: name, PAYMENT_WINDOW_SECONDS: String(WINDOW_SECONDS) },
    payment: {
      PAYMENT_PROVIDER: name,
      PAYMENT_WEBHOOK_SECRET: WEBHOOK_SECRET,
      ...(stripeMock && { STRIPE_SECRET_KEY: "sk_test_platform", STRIPE_API_URL: stripeMock.url }),
    },
  });
  client = gatewayClient(platform.gateway);
  adminToken = await client.login(ADMIN.email, ADMIN.password);
}

async function stopAll() {
  await platform.stop();
  await stripeMock?.stop();
}

interface Order {
  id: string;
  status: string;
  totalCents: number;
  currency: string;
  statusHistory: Array<{ status: string }>;
}
interface Payment {
  id: string;
  orderId: string;
  status: string;
  amountCents: number;
  refundedCents: number;
  attempts: Array<{ outcome: string; message: string | null }>;
  refunds: Array<{ amountCents: number; reason: string; status: string }>;
}

/** A customer's new order of `quantity` (at 12.50 each), PENDING_PAYMENT. */
async function pendingOrder(quantity = 2) {
  const buyer = await client.customer();
  const sku = await client.product(adminToken, 10, 1250);
  const placed = await client.api<Order>("POST", "/orders", {
    token: buyer.token,
    body: { items: [{ sku, quantity }] },
  });
  expect([placed.status, placed.body.status]).toEqual([201, "PENDING_PAYMENT"]);
  return { buyer, sku, order: placed.body };
}

async function startPaying(orderId: string, token: string) {
  const res = await client.api<{
    paymentId: string;
    status: string;
    provider: string;
    amountCents: number;
    clientSecret?: string;
    checkoutUrl?: string;
  }>("POST", `/orders/${orderId}/payment`, { token });
  expect(res.status).toBe(201);
  return { ...res.body, orderId };
}

/** The sandbox's confirm route: the customer pays with a test card. */
const confirm = (paymentId: string, card: string, token: string) =>
  client.api<Payment>("POST", `/payments/sandbox/${paymentId}/confirm`, { token, body: { card } });

/**
 * The customer pays with a test card: on the sandbox's confirm route, or (Stripe) as Stripe.js
 * would, after which Stripe sends the outcome's webhook. Answers the payment as it now is.
 */
async function pay(
  payment: { paymentId: string; orderId: string; amountCents: number },
  card: string,
  token: string,
) {
  if (provider === "sandbox") return confirm(payment.paymentId, card, token);
  const before = await paymentOf(payment.orderId, token);
  const type =
    card === CARDS.succeeds || (card === CARDS.authenticate && before?.status === "REQUIRES_ACTION")
      ? "payment_intent.succeeded"
      : card === CARDS.declined
        ? "payment_intent.payment_failed"
        : "payment_intent.requires_action";
  const delivered = await webhook(type, { id: payment.paymentId, ...payment });
  expect([delivered.status, delivered.body.outcome]).toEqual([200, "applied"]);
  return { status: 200, body: (await paymentOf(payment.orderId, token)) as Payment };
}

const orderOf = async (id: string, token: string) =>
  (await client.api<Order>("GET", `/orders/${id}`, { token })).body;

const paymentOf = async (orderId: string, token: string) =>
  (await client.api<{ items: Payment[] }>("GET", `/payments?orderId=${orderId}`, { token })).body.items[0];

const activityTypes = async (orderId: string, token: string) =>
  (
    await client.api<{ items: Array<{ type: string }> }>("GET", `/activity?orderId=${orderId}`, { token })
  ).body.items
    .map((entry) => entry.type)
    .sort();

const emailsAbout = (orderId: string) =>
  platform.smtp.messages.filter((m) => m.text?.includes(orderId)).map((m) => m.subject ?? "");

/** A webhook as the sandbox (and Stripe) sends it, signed with `secret`, posted through the gateway. */
async function webhook(
  type: string,
  payment: { id: string; orderId: string; amountCents: number },
  {
    eventId = `evt_test_${Bun.randomUUIDv7()}`,
    secret = WEBHOOK_SECRET,
    amountCents = payment.amountCents,
  } = {},
) {
  const body = JSON.stringify({
    id: eventId,
    object: "event",
    created: Math.floor(Date.now() / 1000),
    type,
    data: {
      object: {
        id: `pi_${payment.id.replaceAll("-", "")}`,
        object: "payment_intent",
        amount: amountCents,
        amount_received: type === "payment_intent.succeeded" ? amountCents : 0,
        currency: "eur",
        metadata: { paymentId: payment.id, orderId: payment.orderId },
        last_payment_error:
          type === "payment_intent.payment_failed" ? { message: "Your card was declined." } : null,
      },
    },
  });
  return client.api<{ outcome: string } & Problem>("POST", `/payments/webhooks/${provider}`, {
    body,
    headers: { "stripe-signature": await signSandboxWebhook(body, secret) },
  });
}

describe.each(["sandbox", "stripe"] as const)("payments with the %s provider", (name) => {
  beforeAll(() => startWith(name), 120_000);
  afterAll(() => stopAll());

  test("paid with 4242: the order is confirmed, its stock committed; events, activity and notifications follow", async () => {
    const { buyer, sku, order } = await pendingOrder(2);
    expect(await client.available(sku)).toBe(8);
    const started = await startPaying(order.id, buyer.token);
    expect(started).toMatchObject({ provider, status: "PENDING", amountCents: 2500 });
    // Stripe.js needs the intent's client secret; the sandbox's checkout page is opened with its own.
    expect(typeof started.clientSecret).toBe("string");
    expect(typeof started.checkoutUrl).toBe(provider === "sandbox" ? "string" : "undefined");
    // A second click answers the same payment.
    const again = await client.api<{ paymentId: string }>("POST", `/orders/${order.id}/payment`, {
      token: buyer.token,
    });
    expect([again.status, again.body.paymentId]).toEqual([200, started.paymentId]);

    const paid = await pay(started, CARDS.succeeds, buyer.token);
    expect([paid.status, paid.body.status]).toEqual([200, "SUCCEEDED"]);
    expect(paid.body.attempts.map((a) => a.outcome)).toEqual(["SUCCEEDED"]);

    await eventually(
      "the order to be confirmed",
      async () => (await orderOf(order.id, buyer.token)).status === "CONFIRMED",
    );
    expect((await orderOf(order.id, buyer.token)).statusHistory.map((h) => h.status)).toEqual([
      "PENDING_PAYMENT",
      "CONFIRMED",
    ]);
    expect(await client.available(sku)).toBe(8);
    await eventually("the activity trail", async () =>
      (await activityTypes(order.id, buyer.token)).includes("payment.succeeded"),
    );
    expect(await activityTypes(order.id, buyer.token)).toEqual([
      "order.created",
      "order.status.updated",
      "payment.succeeded",
    ]);
    await eventually("the payment email", () =>
      emailsAbout(order.id).some((s) => /payment received/i.test(s)),
    );
    if (provider === "sandbox") {
      // Paying again is refused: the order takes no more payment.
      const twice = await confirm(started.paymentId, CARDS.succeeds, buyer.token);
      expect([twice.status, (twice.body as unknown as Problem).code]).toEqual([409, "INVALID_TRANSITION"]);
    }
  });

  test("declined past its attempts: the payment fails, the order is cancelled and its stock released", async () => {
    const { buyer, sku, order } = await pendingOrder(3);
    const started = await startPaying(order.id, buyer.token);
    for (const expected of ["PENDING", "PENDING", "FAILED"]) {
      const res = await pay(started, CARDS.declined, buyer.token);
      expect([res.status, res.body.status]).toEqual([200, expected]);
    }
    expect((await paymentOf(order.id, buyer.token))?.attempts).toEqual([
      expect.objectContaining({ outcome: "DECLINED", message: "Your card was declined." }),
      expect.objectContaining({ outcome: "DECLINED" }),
      expect.objectContaining({ outcome: "DECLINED" }),
    ]);
    await eventually(
      "the order to be cancelled",
      async () => (await orderOf(order.id, buyer.token)).status === "CANCELLED",
    );
    await eventually("the stock to come back", async () => (await client.available(sku)) === 10);
    await eventually("the activity trail", async () =>
      (await activityTypes(order.id, buyer.token)).includes("payment.failed"),
    );
    await eventually("the failure email", () => emailsAbout(order.id).some((s) => /payment failed/i.test(s)));
  });

  test("a 3-D Secure card waits REQUIRES_ACTION until it is confirmed again; then the order is confirmed", async () => {
    const { buyer, order } = await pendingOrder(1);
    const started = await startPaying(order.id, buyer.token);
    const challenged = await pay(started, CARDS.authenticate, buyer.token);
    expect(challenged.body.status).toBe("REQUIRES_ACTION");
    await Bun.sleep(300);
    expect((await orderOf(order.id, buyer.token)).status).toBe("PENDING_PAYMENT");
    const passed = await pay(started, CARDS.authenticate, buyer.token);
    expect(passed.body.status).toBe("SUCCEEDED");
    expect(passed.body.attempts.map((a) => a.outcome)).toEqual(["REQUIRES_ACTION", "SUCCEEDED"]);
    await eventually(
      "the order to be confirmed",
      async () => (await orderOf(order.id, buyer.token)).status === "CONFIRMED",
    );
  });

  test("a paid order that is cancelled is refunded in full; an admin refunds another paid order", async () => {
    const first = await pendingOrder(2);
    await pay(await startPaying(first.order.id, first.buyer.token), CARDS.succeeds, first.buyer.token);
    await eventually(
      "confirmed",
      async () => (await orderOf(first.order.id, first.buyer.token)).status === "CONFIRMED",
    );
    const cancelled = await client.api<Order>("POST", `/orders/${first.order.id}/cancel`, {
      token: first.buyer.token,
    });
    expect(cancelled.body.status).toBe("CANCELLED");
    await eventually(
      "the refund",
      async () => (await paymentOf(first.order.id, first.buyer.token))?.status === "REFUNDED",
    );
    expect((await paymentOf(first.order.id, first.buyer.token))?.refunds).toEqual([
      expect.objectContaining({ amountCents: 2500, reason: "The order was cancelled.", status: "SUCCEEDED" }),
    ]);
    await eventually("the stock to come back", async () => (await client.available(first.sku)) === 10);
    await eventually("the activity trail", async () =>
      (await activityTypes(first.order.id, first.buyer.token)).includes("payment.refunded"),
    );
    await eventually("the refund email", () => emailsAbout(first.order.id).some((s) => /refund/i.test(s)));

    const second = await pendingOrder(1);
    await pay(await startPaying(second.order.id, second.buyer.token), CARDS.succeeds, second.buyer.token);
    const asCustomer = await client.api<Problem>("POST", `/orders/${second.order.id}/refund`, {
      token: second.buyer.token,
      body: {},
    });
    expect([asCustomer.status, asCustomer.body.code]).toEqual([403, "FORBIDDEN"]);
    // An admin refunds an order that has taken its payment (before, it is 409: payments.int.test.ts).
    await eventually(
      "confirmed",
      async () => (await orderOf(second.order.id, second.buyer.token)).status === "CONFIRMED",
    );
    const refunded = await client.api<{ refund: { status: string; amountCents: number } }>(
      "POST",
      `/orders/${second.order.id}/refund`,
      { token: adminToken, body: { reason: "Damaged in transit." } },
    );
    expect(refunded.status).toBe(202);
    expect(refunded.body.refund).toMatchObject({ amountCents: 1250 });
    await eventually(
      "refunded",
      async () => (await paymentOf(second.order.id, adminToken))?.status === "REFUNDED",
    );
    const again = await client.api<Problem>("POST", `/orders/${second.order.id}/refund`, {
      token: adminToken,
      body: {},
    });
    expect([again.status, again.body.code]).toEqual([409, "INVALID_TRANSITION"]);
  });

  test("webhooks: a bad signature is 400 and changes nothing; a replay and a late decline change nothing", async () => {
    const { buyer, order } = await pendingOrder(1);
    const { paymentId } = await startPaying(order.id, buyer.token);
    const payment = { id: paymentId, orderId: order.id, amountCents: 1250 };

    const forged = await webhook("payment_intent.succeeded", payment, {
      secret: "whsec_not_the_platforms_secret",
    });
    expect([forged.status, forged.body.code]).toEqual([400, "INVALID_SIGNATURE"]);
    const unsigned = await client.api<Problem>("POST", `/payments/webhooks/${provider}`, {
      body: { id: "evt_x" },
    });
    expect([unsigned.status, unsigned.body.code]).toEqual([400, "INVALID_SIGNATURE"]);
    expect((await paymentOf(order.id, buyer.token))?.status).toBe("PENDING");

    const eventId = `evt_test_${Bun.randomUUIDv7()}`;
    expect((await webhook("payment_intent.succeeded", payment, { eventId })).body.outcome).toBe("applied");
    expect((await webhook("payment_intent.succeeded", payment, { eventId })).body.outcome).toBe("duplicate");
    // A decline delivered after the success (out of order) is recorded as seen and changes nothing.
    expect((await webhook("payment_intent.payment_failed", payment)).body.outcome).toBe("applied");
    const now = await paymentOf(order.id, buyer.token);
    expect(now?.status).toBe("SUCCEEDED");
    expect(now?.attempts.map((a) => a.outcome)).toEqual(["SUCCEEDED"]);
    await eventually(
      "the order to be confirmed once",
      async () => (await orderOf(order.id, buyer.token)).status === "CONFIRMED",
    );
    await Bun.sleep(300);
    expect((await orderOf(order.id, buyer.token)).statusHistory.map((h) => h.status)).toEqual([
      "PENDING_PAYMENT",
      "CONFIRMED",
    ]);
  });

  test("money taken for another amount than the order's fails the payment: the order is cancelled, the money goes back", async () => {
    const { buyer, sku, order } = await pendingOrder(1);
    const { paymentId } = await startPaying(order.id, buyer.token);
    const short = await webhook("payment_intent.succeeded", {
      id: paymentId,
      orderId: order.id,
      amountCents: 1,
    });
    expect(short.body.outcome).toBe("applied");
    await eventually("the cent given back", async () => {
      const now = await paymentOf(order.id, buyer.token);
      return now?.refunds[0]?.status === "SUCCEEDED";
    });
    const now = await paymentOf(order.id, buyer.token);
    expect([now?.status, now?.attempts[0]?.outcome, now?.refundedCents]).toEqual(["FAILED", "MISMATCH", 1]);
    expect(now?.refunds).toEqual([expect.objectContaining({ amountCents: 1, status: "SUCCEEDED" })]);
    await eventually(
      "the order to be cancelled",
      async () => (await orderOf(order.id, buyer.token)).status === "CANCELLED",
    );
    await eventually("the stock to come back", async () => (await client.available(sku)) === 10);
  });

  test("an order cancelled before anyone paid it takes no payment after", async () => {
    const { buyer, order } = await pendingOrder(1);
    const cancelled = await client.api<Order>("POST", `/orders/${order.id}/cancel`, { token: buyer.token });
    expect(cancelled.body.status).toBe("CANCELLED");
    const late = await client.api<Problem>("POST", `/orders/${order.id}/payment`, { token: buyer.token });
    expect([late.status, late.body.code]).toEqual([409, "INVALID_TRANSITION"]);
    // Once the payment service has seen the cancellation, a CANCELLED stand-in holds the order's place.
    await eventually(
      "the stand-in",
      async () => (await paymentOf(order.id, buyer.token))?.status === "CANCELLED",
    );
    const again = await client.api<Problem>("POST", `/orders/${order.id}/payment`, { token: buyer.token });
    expect([again.status, again.body.code]).toEqual([409, "INVALID_TRANSITION"]);
  });

  test("an order left unpaid past its window is cancelled and its stock released; money that arrives after that goes back", async () => {
    const { buyer, sku, order } = await pendingOrder(4);
    const { paymentId } = await startPaying(order.id, buyer.token);
    await eventually(
      "the window to end",
      async () => (await orderOf(order.id, buyer.token)).status === "CANCELLED",
      { timeoutMs: (WINDOW_SECONDS + 10) * 1000, intervalMs: 250 },
    );
    await eventually("the stock to come back", async () => (await client.available(sku)) === 10);
    await eventually(
      "the payment called off",
      async () => (await paymentOf(order.id, buyer.token))?.status === "CANCELLED",
    );
    if (provider === "sandbox") {
      const closed = await confirm(paymentId, CARDS.succeeds, buyer.token);
      expect([closed.status, (closed.body as unknown as Problem).code]).toEqual([409, "INVALID_TRANSITION"]);
    }

    // The provider took the money anyway (a payment in flight as the window closed): it goes back.
    await webhook("payment_intent.succeeded", { id: paymentId, orderId: order.id, amountCents: 5000 });
    await eventually(
      "the late payment refunded",
      async () => (await paymentOf(order.id, buyer.token))?.status === "REFUNDED",
    );
    expect((await paymentOf(order.id, buyer.token))?.refunds[0]?.reason).toBe(
      "The payment arrived after its order was cancelled.",
    );
    expect((await orderOf(order.id, buyer.token)).status).toBe("CANCELLED");
  });

  if (name === "sandbox") {
    test("the sandbox's checkout page: opened by its link alone, a declined card said in words, then paid", async () => {
      const { buyer, order } = await pendingOrder(2);
      const { paymentId, checkoutUrl } = await startPaying(order.id, buyer.token);
      const page = (path: string, init?: RequestInit) => fetch(`${platform.gateway}${path}`, init);
      const shown = await page(checkoutUrl ?? "");
      expect(shown.status).toBe(200);
      expect(shown.headers.get("content-type")).toStartWith("text/html");
      const html = await shown.text();
      expect(html).toContain("€25.00");
      expect(html).toContain('<form method="post" action="checkout">');
      expect(html).not.toContain("<script");

      const wrongSecret = await page(`/api/payments/sandbox/${paymentId}/checkout?client_secret=guess`);
      expect(wrongSecret.status).toBe(404);
      const secret = new URL(checkoutUrl ?? "", platform.gateway).searchParams.get("client_secret") ?? "";
      // As long in characters, longer in bytes: still a wrong secret (404), not a failed comparison (500).
      const sameLength = encodeURIComponent(`é${secret.slice(1)}`);
      expect(
        (await page(`/api/payments/sandbox/${paymentId}/checkout?client_secret=${sameLength}`)).status,
      ).toBe(404);
      const post = (card: string) =>
        page(`/api/payments/sandbox/${paymentId}/checkout`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ client_secret: secret, card }),
        }).then((res) => res.text());
      expect(await post(CARDS.declined)).toContain("Your card was declined.");
      expect(await post("1234 5678 9012 3456")).toContain("test card numbers only");
      expect(await post(CARDS.succeeds)).toContain("Paid. Thank you!");
      await eventually(
        "the order to be confirmed",
        async () => (await orderOf(order.id, buyer.token)).status === "CONFIRMED",
      );
      expect((await paymentOf(order.id, buyer.token))?.attempts.map((a) => a.outcome)).toEqual([
        "DECLINED",
        "SUCCEEDED",
      ]);
    });
  }

  test("an order that needs no payment, or someone else's, cannot be paid", async () => {
    const { order } = await pendingOrder(1);
    const stranger = await client.customer();
    const notYours = await client.api<Problem>("POST", `/orders/${order.id}/payment`, {
      token: stranger.token,
    });
    expect([notYours.status, notYours.body.code]).toEqual([404, "NOT_FOUND"]);
    const unknown = await client.api<Problem>("POST", `/orders/${Bun.randomUUIDv7()}/payment`, {
      token: stranger.token,
    });
    expect(unknown.status).toBe(404);
  });
});
