/**
 * `bash scripts/bench footprint`: what the platform's stores hold after many orders, and what a
 * reconciliation costs then. Places ORDERS orders through the gateway of a running platform
 * (bash scripts/start.sh, rate limits raised) as fast as CONCURRENCY clients can, waits until every
 * event is consumed, then reports Redis memory and keys, the Postgres schemas' sizes, the MongoDB
 * activity database's size, and the time `bun run reconcile` takes.
 *
 *   ORDERS=10000 bash scripts/bench footprint
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { MongoClient } from "mongodb";
import pg from "pg";
import { api, infraUrl, login } from "./lib/bench-client.js";

const root = join(import.meta.dir, "..");
const ORDERS = Number(process.env.ORDERS ?? 10_000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32);
const CUSTOMERS = Number(process.env.CUSTOMERS ?? 50);
const SKUS = ["BENCH-FOOT-A", "BENCH-FOOT-B", "BENCH-FOOT-C", "BENCH-FOOT-D"];

async function setup(): Promise<string[]> {
  const password =
    process.env.ADMIN_PASSWORD ?? readFileSync(join(root, ".data", "admin-password"), "utf8").trim();
  const admin = await login(process.env.ADMIN_EMAIL ?? "admin@example.com", password);
  for (const sku of SKUS) {
    const res = await api("POST", "/products", admin, {
      sku,
      name: `Footprint ${sku}`,
      priceCents: 700,
      initialStock: 10_000_000,
      lowStockThreshold: 0,
    });
    if (res.status !== 201 && res.status !== 409) throw new Error(`product ${sku}: ${res.status}`);
  }
  const run = Date.now().toString(36);
  return Promise.all(
    Array.from({ length: CUSTOMERS }, async (_, i) => {
      const email = `footprint-${run}-${i}@example.com`;
      await api("POST", "/users", undefined, { email, name: `Footprint ${i}`, password: "footprint-pass-1" });
      return login(email, "footprint-pass-1");
    }),
  );
}

const tokens = await setup();
const started = performance.now();
let placed = 0;
let failed = 0;
let next = 0;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < ORDERS) {
      const i = next++;
      const items = [{ sku: SKUS[i % SKUS.length] as string, quantity: 1 + (i % 3) }];
      const res = await api("POST", "/orders", tokens[i % tokens.length], { items });
      if (res.status === 201) placed++;
      else failed++;
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
console.log(
  `placed ${placed} orders in ${seconds.toFixed(0)} s (${(placed / seconds).toFixed(0)}/s), ${failed} failed`,
);

const redis = new Redis(infraUrl("REDIS_URL"));
const db = new pg.Client({ connectionString: infraUrl("POSTGRES_URL") });
await db.connect();
// Settled: every event consumed by both groups.
for (let i = 0; i < 600; i++) {
  const groups = (await redis.xinfo("GROUPS", "events:orders")) as unknown[][];
  const busy = groups.some((fields) => {
    const info = Object.fromEntries(fields.flatMap((v, j) => (j % 2 === 0 ? [[v, fields[j + 1]]] : [])));
    return Number(info.lag) > 0 || Number(info.pending) > 0;
  });
  if (!busy) break;
  await Bun.sleep(1_000);
}

const memory = Object.fromEntries(
  (await redis.info("memory"))
    .split("\r\n")
    .filter((line) => line.includes(":"))
    .map((line) => line.split(":") as [string, string]),
);
let reservations = 0;
let cursor = "0";
do {
  const [nextCursor, keys] = await redis.scan(
    cursor,
    "MATCH",
    "inventory:{stock}:reservation:*",
    "COUNT",
    1000,
  );
  cursor = nextCursor;
  reservations += keys.length;
} while (cursor !== "0");
const streamLength = await redis.xlen("events:orders");
console.log(
  `redis: used_memory ${(Number(memory.used_memory) / 1024 / 1024).toFixed(1)} MB, ${await redis.dbsize()} keys, ` +
    `${reservations} reservation records, events:orders length ${streamLength}`,
);

const { rows } = await db.query<{ schema: string; bytes: string }>(
  `select n.nspname as schema, sum(pg_total_relation_size(c.oid))::bigint as bytes
   from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where c.relkind in ('r', 'm') and n.nspname in ('users', 'inventory', 'orders', 'notifications', 'payments')
   group by n.nspname order by n.nspname`,
);
console.log(
  `postgres: ${rows.map((r) => `${r.schema} ${(Number(r.bytes) / 1024 / 1024).toFixed(1)} MB`).join(", ")}`,
);
const counts = await db.query<{ orders: number; notifications: number; outbox: number }>(
  `select (select count(*) from orders."order")::int as orders,
          (select count(*) from notifications.notification)::int as notifications,
          (select count(*) from orders.outbox)::int as outbox`,
);
console.log(`rows: ${JSON.stringify(counts.rows[0])}`);

const mongo = new MongoClient(infraUrl("MONGO_URL"));
const stats = await mongo.db(process.env.MONGO_DB ?? "activity").stats();
console.log(
  `mongodb: activity ${(Number(stats.dataSize) / 1024 / 1024).toFixed(1)} MB data, ${stats.objects} documents`,
);
await mongo.close();

const reconcileStarted = performance.now();
const reconcile = Bun.spawn(["bun", join(root, "services", "inventory", "src", "reconcile.ts")], {
  env: { ...process.env, REDIS_URL: infraUrl("REDIS_URL") },
  stdout: "pipe",
  stderr: "inherit",
});
const summary = (await new Response(reconcile.stdout).text()).trim().split("\n").at(-1);
await reconcile.exited;
console.log(`reconcile: ${((performance.now() - reconcileStarted) / 1000).toFixed(2)} s — ${summary}`);
redis.disconnect();
await db.end();
