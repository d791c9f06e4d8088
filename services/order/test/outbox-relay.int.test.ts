/** The outbox relay on its own: replicas side by side, ordering, pruning (real Postgres and Redis). */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createDatabase, migrateToLatest } from "@platform/db";
import { fromStreamFields, newEvent } from "@platform/events";
import { createLogger } from "@platform/logging";
import { testInfra, uniqueName } from "@platform/testing";
import { Redis } from "ioredis";
import { type Kysely, sql } from "kysely";
import { OrderOutboxRelay } from "../src/events/outbox-relay.js";
import { migrations } from "../src/store/migrations/index.js";
import type { OrderDb } from "../src/store/order.store.js";
import type { OrderDatabase } from "../src/store/order.table.js";
import { insertOutboxEvent, unpublishedCount } from "../src/store/outbox.store.js";

let db: OrderDb;
let redis: Redis;
const schema = uniqueName("t_outbox");
const logger = createLogger({ service: "order", level: "silent" });

beforeAll(async () => {
  const infra = await testInfra();
  db = createDatabase<OrderDatabase>({ url: infra.postgresUrl, schema, poolMax: 6 });
  await migrateToLatest(db as Kysely<unknown>, schema, migrations);
  redis = new Redis(infra.redisUrl);
});
afterAll(async () => {
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
  await db.destroy();
  redis.disconnect();
});

const relay = (overrides: Partial<ConstructorParameters<typeof OrderOutboxRelay>[0]> = {}) =>
  new OrderOutboxRelay({
    db,
    redis,
    logger,
    streamMaxLen: 100_000,
    pollMs: 50,
    batchSize: 7,
    outboxRetentionMs: 3_600_000,
    idempotencyRetentionMs: 24 * 3_600_000,
    ...overrides,
  });

describe("OrderOutboxRelay", () => {
  test("three replicas draining one backlog publish every event exactly once", async () => {
    const stream = uniqueName("events:orders");
    const events = Array.from({ length: 60 }, (_, i) =>
      newEvent("order.created", { n: i }, { requestId: `r-${i}` }),
    );
    for (const event of events) await insertOutboxEvent(db, stream, event);
    const replicas = [relay(), relay(), relay()];
    const drain = async (r: OrderOutboxRelay) => {
      while ((await r.relayOnce()) > 0);
    };
    await Promise.all(replicas.map(drain));
    const published = (await redis.xrange(stream, "-", "+")).map(([, fields]) => fromStreamFields(fields));
    expect(published).toHaveLength(60);
    expect(new Set(published.map((e) => e.id))).toEqual(new Set(events.map((e) => e.id)));
    expect(await unpublishedCount(db)).toBe(0);
    expect(published.find((e) => e.id === events[5]?.id)).toEqual(events[5] as (typeof published)[number]);
  });

  test("a failed write stops the pass; what was published stays marked, the rest waits, nothing repeats", async () => {
    const stream = uniqueName("events:orders");
    const blocked = uniqueName("events:blocked");
    await redis.set(blocked, "not a stream");
    await insertOutboxEvent(db, stream, newEvent("order.created", { n: 1 }, { requestId: "a" }));
    await insertOutboxEvent(db, blocked, newEvent("order.created", { n: 2 }, { requestId: "b" }));
    await insertOutboxEvent(db, stream, newEvent("order.created", { n: 3 }, { requestId: "c" }));
    const r = relay();
    await expect(r.relayOnce()).rejects.toThrow(/WRONGTYPE/);
    expect(await redis.xlen(stream)).toBe(1);
    expect(await unpublishedCount(db)).toBe(2);
    await redis.del(blocked);
    while ((await r.relayOnce()) > 0);
    expect(await redis.xlen(stream)).toBe(2);
    expect(await redis.xlen(blocked)).toBe(1);
    expect(await unpublishedCount(db)).toBe(0);
  });

  test("published events older than the retention are pruned by the running relay; unpublished ones never", async () => {
    const stream = uniqueName("events:orders");
    await insertOutboxEvent(db, stream, newEvent("order.created", { old: true }, { requestId: "old" }));
    const r = relay({ outboxRetentionMs: 0 });
    while ((await r.relayOnce()) > 0);
    await sql`update outbox set published_at = now() - interval '1 hour' where published_at is not null`.execute(
      db,
    );
    // One event that cannot go out (its stream key is not a stream): it must survive the pruning.
    const waitingStream = uniqueName("events:blocked");
    await redis.set(waitingStream, "blocked");
    await insertOutboxEvent(
      db,
      waitingStream,
      newEvent("order.created", { waiting: true }, { requestId: "w" }),
    );
    r.start();
    await Bun.sleep(300);
    await r.stop();
    const left = await db.selectFrom("outbox").select(["publishedAt"]).execute();
    expect(left).toEqual([{ publishedAt: null }]);
  });
});
