/**
 * `bash scripts/bench pipeline`: the whole order → notification pipeline under a constant order
 * rate, through the gateway of a running platform (bash scripts/start.sh, rate limits raised).
 * Places orders at RATE per second for DURATION seconds from CUSTOMERS accounts, then reports:
 * - the orders: achieved rate, answers, placement latency p50/p95/p99;
 * - per channel, the order → sent lag (from the event's occurredAt to the notification's sentAt)
 *   p50/p95/p99/max, read from the notification service's table;
 * - the backlog (notifications of these orders not sent yet) when the load stops and 5 s later.
 *
 *   RATE=200 DURATION=60 bash scripts/bench pipeline
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { api, GATEWAY, infraUrl, login } from "./lib/bench-client.js";

const root = join(import.meta.dir, "..");
const RATE = Number(process.env.RATE ?? 50);
const DURATION = Number(process.env.DURATION ?? 60);
const CUSTOMERS = Number(process.env.CUSTOMERS ?? 50);
const SKU = "BENCH-PIPELINE";
const CHANNELS = (process.env.CHANNELS ?? "log,email,websocket").split(",");

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number);
const ms = (value: number) => (Number.isNaN(value) ? "–" : `${value.toFixed(value < 10 ? 1 : 0)} ms`);

async function setup() {
  const adminPassword =
    process.env.ADMIN_PASSWORD ?? readFileSync(join(root, ".data", "admin-password"), "utf8").trim();
  const admin = await login(process.env.ADMIN_EMAIL ?? "admin@example.com", adminPassword);
  const created = await api("POST", "/products", admin, {
    sku: SKU,
    name: "Pipeline benchmark item",
    priceCents: 500,
    initialStock: 10_000_000,
    lowStockThreshold: 0,
  });
  if (created.status !== 201 && created.status !== 409) throw new Error(`product: ${created.status}`);
  const run = Date.now().toString(36);
  return Promise.all(
    Array.from({ length: CUSTOMERS }, async (_, i) => {
      const email = `bench-${run}-${i}@example.com`;
      await api("POST", "/users", undefined, { email, name: `Bench ${i}`, password: "bench-password-1" });
      return login(email, "bench-password-1");
    }),
  );
}

const tokens = await setup();
const db = new pg.Client({ connectionString: infraUrl("POSTGRES_URL") });
await db.connect();

console.log(`placing ${RATE} orders/s for ${DURATION} s through ${GATEWAY} (${CUSTOMERS} customers)`);
const orderIds: string[] = [];
const latencies: number[] = [];
const answers = new Map<number, number>();
const inFlight = new Set<Promise<void>>();
const start = performance.now();
const total = RATE * DURATION;
for (let i = 0; i < total; i++) {
  const due = start + (i * 1000) / RATE;
  const wait = due - performance.now();
  if (wait > 1) await Bun.sleep(wait);
  const sent = performance.now();
  const order = api("POST", "/orders", tokens[i % tokens.length], { items: [{ sku: SKU, quantity: 1 }] })
    .then((res) => {
      latencies.push(performance.now() - sent);
      answers.set(res.status, (answers.get(res.status) ?? 0) + 1);
      if (res.status === 201) orderIds.push(String(res.body.id));
    })
    .catch(() => {
      answers.set(0, (answers.get(0) ?? 0) + 1);
    })
    .finally(() => inFlight.delete(order));
  inFlight.add(order);
}
await Promise.all(inFlight);
const elapsed = (performance.now() - start) / 1000;

const backlog = async () => {
  const { rows } = await db.query<{ channel: string; sent: number }>(
    `select channel, count(*) filter (where status = 'sent')::int as sent
     from notifications.notification where order_id = any($1::uuid[]) and event_type = 'order.created'
     group by channel`,
    [orderIds],
  );
  const sent = new Map(rows.map((r) => [r.channel, r.sent]));
  return Object.fromEntries(CHANNELS.map((c) => [c, orderIds.length - (sent.get(c) ?? 0)]));
};
const atStop = await backlog();
await Bun.sleep(5_000);
const after5s = await backlog();
// Whatever is still on its way arrives before the lags are read.
for (let i = 0; i < 60 && Object.values(await backlog()).some((n) => n > 0); i++) await Bun.sleep(1_000);

const { rows } = await db.query<{ channel: string; lag: number }>(
  `select channel, extract(epoch from sent_at - (data->>'occurredAt')::timestamptz) * 1000 as lag
   from notifications.notification
   where order_id = any($1::uuid[]) and event_type = 'order.created' and status = 'sent'`,
  [orderIds],
);
await db.end();

latencies.sort((a, b) => a - b);
console.log(
  `\norders: ${orderIds.length} placed in ${elapsed.toFixed(1)} s (${(orderIds.length / elapsed).toFixed(1)}/s); ` +
    `answers ${[...answers].map(([status, n]) => `${status || "network error"}×${n}`).join(", ")}; ` +
    `latency p50 ${ms(percentile(latencies, 50))}, p95 ${ms(percentile(latencies, 95))}, p99 ${ms(percentile(latencies, 99))}`,
);
console.log("\n| channel | lag p50 | p95 | p99 | max | backlog at stop | 5 s later |");
console.log("|---|---|---|---|---|---|---|");
for (const channel of CHANNELS) {
  const lags = rows
    .filter((r) => r.channel === channel)
    .map((r) => Number(r.lag))
    .sort((a, b) => a - b);
  console.log(
    `| ${channel} | ${ms(percentile(lags, 50))} | ${ms(percentile(lags, 95))} | ${ms(percentile(lags, 99))} | ${ms(lags.at(-1) ?? Number.NaN)} | ${atStop[channel]} | ${after5s[channel]} |`,
  );
}
