/**
 * The outbox relay on its own: replicas side by side, ordering, failures, pruning and stream
 * trimming (real Postgres and Redis).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createDatabase, migrateToLatest } from "@platform/db";
import { fromStreamFields, newEvent } from "@platform/events";
import { createLogger } from "@platform/logging";
import { testInfra, uniqueName } from "@platform/testing";
import { Redis } from "ioredis";
import { type Kysely, sql } from "kysely";
import {
  addOutboxTraceparent,
  createOutboxTable,
  insertOutboxEvent,
  type OutboxDatabase,
  OutboxRelay,
  type OutboxRelayOptions,
  prunePublished,
  unpublishedCount,
} from "../src/index.js";

let db: Kysely<OutboxDatabase>;
let redis: Redis;
const schema = uniqueName("t_outbox");
const logger = createLogger({ service: "order", level: "silent" });

beforeAll(async () => {
  const infra = await testInfra();
  db = createDatabase<OutboxDatabase>({ url: infra.postgresUrl, schema, poolMax: 6 });
  await migrateToLatest(db as Kysely<unknown>, schema, {
    "0001-outbox": { up: createOutboxTable },
    "0002-outbox-traceparent": { up: addOutboxTraceparent },
  });
  redis = new Redis(infra.redisUrl);
});
afterAll(async () => {
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
  await db.destroy();
  redis.disconnect();
});

const relay = (overrides: Partial<OutboxRelayOptions> = {}) =>
  new OutboxRelay({
    name: "test relay",
    db,
    redis,
    logger,
    streams: [],
    streamMaxLen: 100_000,
    pollMs: 50,
    batchSize: 7,
    retentionMs: 3_600_000,
    ...overrides,
  });

describe("OutboxRelay", () => {
  test("three replicas draining one backlog publish every event exactly once", async () => {
    const stream = uniqueName("events:orders");
    const events = Array.from({ length: 60 }, (_, i) =>
      newEvent("order.created", { n: i }, { requestId: `r-${i}` }),
    );
    for (const event of events) await insertOutboxEvent(db, stream, event);
    const replicas = [relay(), relay(), relay()];
    const drain = async (r: OutboxRelay) => {
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
    const r = relay({ retentionMs: 0 });
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

  test("pruning a backlog larger than a batch takes it all, oldest first, and keeps what is newer or unpublished", async () => {
    await sql`delete from outbox`.execute(db);
    const stream = uniqueName("events:orders");
    // 12 000 events published two hours ago (several batches), then one published just now, one
    // never published, and one more published two hours ago but after them (its relay was late).
    await sql`insert into outbox (event_id, stream, type, version, payload, request_id, occurred_at, published_at)
      select gen_random_uuid(), ${stream}, 'order.created', 1, '{}', 'r', now(), now() - interval '2 hours'
      from generate_series(1, 12000)`.execute(db);
    const fresh = newEvent("order.created", { fresh: true }, { requestId: "fresh" });
    const waiting = newEvent("order.created", { waiting: true }, { requestId: "waiting" });
    const late = newEvent("order.created", { late: true }, { requestId: "late" });
    for (const event of [fresh, waiting, late]) await insertOutboxEvent(db, stream, event);
    await sql`update outbox set published_at = now() where event_id = ${fresh.id}`.execute(db);
    await sql`update outbox set published_at = now() - interval '2 hours' where event_id = ${late.id}`.execute(
      db,
    );

    expect(await prunePublished(db, new Date(Date.now() - 3_600_000))).toBe(12_000);
    const left = await db.selectFrom("outbox").select("eventId").orderBy("id").execute();
    // The late one waits for the next round after the fresh one's cutoff passes.
    expect(left.map((row) => row.eventId)).toEqual([fresh.id, waiting.id, late.id]);
  });

  test("the running relay trims its streams, never past an entry a group has not acknowledged", async () => {
    await sql`delete from outbox`.execute(db); // an earlier test leaves an event that cannot go out
    const stream = uniqueName("events:orders");
    await redis.xgroup("CREATE", stream, "slow", "$", "MKSTREAM");
    for (let i = 0; i < 300; i++)
      await insertOutboxEvent(db, stream, newEvent("order.created", { i }, { requestId: "t" }));
    const r = relay({ streams: [stream], streamMaxLen: 10, batchSize: 100 });
    while ((await r.relayOnce()) > 0);
    // The group has read nothing yet: all 300 stay, whatever the bound.
    r.start();
    await Bun.sleep(200);
    await r.stop();
    expect(await redis.xlen(stream)).toBe(300);

    // Read and acknowledge the first 250: those may go, the last 50 stay.
    const read = (await redis.xreadgroup(
      "GROUP",
      "slow",
      "c",
      "COUNT",
      250,
      "STREAMS",
      stream,
      ">",
    )) as Array<[string, Array<[string, string[]]>]>;
    const ids = read[0]?.[1].map(([id]) => id) ?? [];
    await redis.xack(stream, "slow", ...ids);
    const r2 = relay({ streams: [stream], streamMaxLen: 10 });
    r2.start();
    await Bun.sleep(200);
    await r2.stop();
    const length = await redis.xlen(stream);
    expect(length).toBeGreaterThanOrEqual(50);
    expect(length).toBeLessThan(300);
    const [[firstLeft] = []] = await redis.xrange(stream, "-", "+", "COUNT", 1);
    expect(ids.indexOf(firstLeft ?? "")).not.toBe(-1); // it starts inside the acknowledged part
    const unread = await redis.xreadgroup("GROUP", "slow", "c", "COUNT", 1000, "STREAMS", stream, ">");
    expect((unread as Array<[string, unknown[]]>)[0]?.[1]).toHaveLength(50);
  });
});
