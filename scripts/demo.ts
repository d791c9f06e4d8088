/**
 * `bun scripts/demo.ts`: a walk through the platform for a newcomer, against the running platform
 * (`bash scripts/start.sh` first), through the gateway only: register → log in → give a phone and
 * choose the channels → browse → order → see the activity trail and the notifications. Prints each
 * request and the real answer.
 *
 * On a platform that takes payments (`PAYMENT_PROVIDER=sandbox bun run start`) the order waits
 * PENDING_PAYMENT: the walk pays it with Stripe's test card 4242 and waits until it is CONFIRMED, and
 * the cancel at the end refunds it. Which way to go is read from the order's status, so the demo
 * needs no setting of its own.
 */
export {};

const gateway = process.env.GATEWAY_URL ?? `http://localhost:${process.env.GATEWAY_PORT ?? 8080}`;
const email = `demo-${Date.now()}@example.com`;
let token = "";
let stepNumber = 0;

async function step(
  title: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  console.log(
    `\n\x1b[1m${++stepNumber}. ${title}\x1b[0m\n$ ${method} ${path}${body ? ` ${JSON.stringify(body)}` : ""}`,
  );
  const response = await fetch(`${gateway}/api${path}`, {
    method,
    headers: {
      ...(body ? { "content-type": "application/json" } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const answer = (await response.json()) as Record<string, unknown>;
  const shown = JSON.stringify(answer, null, 2);
  console.log(`→ ${response.status}\n${shown.length > 1500 ? `${shown.slice(0, 1500)}\n…` : shown}`);
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}`);
  return answer;
}

/** A GET through the gateway, not shown (for waiting on what a step started). */
async function get(path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${gateway}/api${path}`, { headers: { authorization: `Bearer ${token}` } });
  return (await response.json()) as Record<string, unknown>;
}

/** Polls `done` for up to 15 s: the events that follow a step take a moment. */
async function until(what: string, done: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 60; i++) {
    if (await done()) return;
    await Bun.sleep(250);
  }
  throw new Error(`gave up waiting for ${what}`);
}

/**
 * Pays an order that waits PENDING_PAYMENT. With the sandbox: Stripe's test card 4242, then the
 * order CONFIRMED (payment.succeeded reaches the order service). Another provider (Stripe) is paid
 * in the customer's browser: false, and the walk goes on with the order unpaid.
 */
async function pay(orderId: string): Promise<boolean> {
  const payment = await step(
    "Start paying it (it waits PENDING_PAYMENT)",
    "POST",
    `/orders/${orderId}/payment`,
  );
  if (payment.provider !== "sandbox") {
    console.log(
      `\n(the ${payment.provider} provider takes the card in the browser: the order stays unpaid here)`,
    );
    return false;
  }
  await step(
    "Pay with Stripe's test card 4242 (the sandbox)",
    "POST",
    `/payments/sandbox/${payment.paymentId}/confirm`,
    { card: "4242 4242 4242 4242" },
  );
  await until(
    "the order to be confirmed",
    async () => (await get(`/orders/${orderId}`)).status === "CONFIRMED",
  );
  await step("The order, CONFIRMED once paid", "GET", `/orders/${orderId}`);
  return true;
}

await step("Register", "POST", "/users", { email, name: "Demo Reader", password: "demo-password-1" });
const login = await step("Log in", "POST", "/auth/login", { email, password: "demo-password-1" });
token = String(login.accessToken);
await step("Give a phone (text messages go there)", "PATCH", "/users/me", { phone: "+15555550123" });
await step("Choose the channels: text messages, no email", "PUT", "/users/me/notification-preferences", {
  email: false,
  sms: true,
  webhook: true,
});
const catalog = await step("Browse what is in stock", "GET", "/products?inStock=true&limit=3");
const sku = String((catalog.items as Array<{ sku: string }>)[0]?.sku);
const order = await step("Place an order", "POST", "/orders", { items: [{ sku, quantity: 2 }] });
const paid = order.status === "PENDING_PAYMENT" && (await pay(String(order.id)));
console.log("\n(waiting a moment for the events to reach the activity log and the notifications)");
await Bun.sleep(1500);
await step("The order's activity trail", "GET", `/activity?orderId=${order.id}`);
await step("The notifications it sent", "GET", `/notifications?orderId=${order.id}`);
await step(
  paid ? "Cancel it: the stock goes back and the payment is refunded" : "Cancel it: the stock goes back",
  "POST",
  `/orders/${order.id}/cancel`,
);
if (paid) {
  await until("the refund", async () => {
    const payments = await get(`/payments?orderId=${order.id}`);
    return (payments.items as Array<{ status: string }>)[0]?.status === "REFUNDED";
  });
  await step("Its payment, refunded", "GET", `/payments?orderId=${order.id}`);
}
console.log(
  `\nText messages went to the SMS sink (http://localhost:8026/messages); emails, for customers who want them, to the SMTP sink (files under .data/mail, or Mailpit with compose). API docs: ${gateway}/docs`,
);
