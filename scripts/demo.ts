/**
 * `bun scripts/demo.ts`: a walk through the platform for a newcomer, against the running platform
 * (`bash scripts/start.sh` first), through the gateway only: register → log in → give a phone and
 * choose the channels → browse → order → see the activity trail and the notifications. Prints each
 * request and the real answer.
 */
export {};

const gateway = process.env.GATEWAY_URL ?? `http://localhost:${process.env.GATEWAY_PORT ?? 8080}`;
const email = `demo-${Date.now()}@example.com`;
let token = "";

async function step(
  title: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  console.log(`\n\x1b[1m${title}\x1b[0m\n$ ${method} ${path}${body ? ` ${JSON.stringify(body)}` : ""}`);
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

await step("1. Register", "POST", "/users", { email, name: "Demo Reader", password: "demo-password-1" });
const login = await step("2. Log in", "POST", "/auth/login", { email, password: "demo-password-1" });
token = String(login.accessToken);
await step("3. Give a phone (text messages go there)", "PATCH", "/users/me", { phone: "+15555550123" });
await step("4. Choose the channels: text messages, no email", "PUT", "/users/me/notification-preferences", {
  email: false,
  sms: true,
  webhook: true,
});
const catalog = await step("5. Browse what is in stock", "GET", "/products?inStock=true&limit=3");
const sku = String((catalog.items as Array<{ sku: string }>)[0]?.sku);
const order = await step("6. Place an order", "POST", "/orders", { items: [{ sku, quantity: 2 }] });
console.log("\n(waiting a moment for the events to reach the activity log and the notifications)");
await Bun.sleep(1500);
await step("7. The order's activity trail", "GET", `/activity?orderId=${order.id}`);
await step("8. The notifications it sent", "GET", `/notifications?orderId=${order.id}`);
await step("9. Cancel it: the stock goes back", "POST", `/orders/${order.id}/cancel`);
console.log(
  `\nText messages went to the SMS sink (http://localhost:8026/messages); emails, for customers who want them, to the SMTP sink (files under .data/mail, or Mailpit with compose). API docs: ${gateway}/docs`,
);
