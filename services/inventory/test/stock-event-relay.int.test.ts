/**
 * The stock event relay when replicas overlap: a relay whose lease ran out mid-batch (a long GC
 * pause, a slow Redis) must not remove from the outbox an event it did not publish itself.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fromStreamFields, newEvent } from "@platform/events";
import { createLogger } from "@platform/logging";
import { testInfra, uniqueName } from "@platform/testing";
import { Redis } from "ioredis";
import { StockEventRelay } from "../src/events/stock-event-relay.js";

let redis: Redis;
const logger = createLogger({ service: "inventory", level: "silent" });

beforeAll(async () => {
  redis = new Redis((await testInfra()).redisUrl);
});
afterAll(() => redis.disconnect());

describe("StockEventRelay", () => {
  test("relays whose leases keep running out, racing over a growing outbox, lose no event", async () => {
    const outboxKey = uniqueName("t:{stock}:outbox");
    const stream = uniqueName("t:events:inventory");
    // A 1 ms lease: every relay loses its lock while it works, as a stalled replica would.
    const relays = [1, 2, 3].map(
      () =>
        new StockEventRelay({
          redis,
          outboxKey,
          lockKey: `${outboxKey}:lock`,
          stream,
          logger,
          lockLeaseMs: 1,
          batchSize: 7,
        }),
    );
    const pushed: string[] = [];
    let producing = true;
    const producer = (async () => {
      for (let i = 0; i < 400; i++) {
        const event = newEvent("stock.low", { n: i }, { requestId: `r-${i}` });
        pushed.push(event.id);
        await redis.rpush(outboxKey, JSON.stringify(event));
        if (i % 20 === 0) await Bun.sleep(1);
      }
      producing = false;
    })();
    await Promise.all(
      relays.map(async (relay) => {
        while (producing || (await redis.llen(outboxKey)) > 0) {
          await relay.relayOnce();
          await Bun.sleep(0);
        }
      }),
    );
    await producer;
    const published = new Set(
      (await redis.xrange(stream, "-", "+")).map(([, fields]) => fromStreamFields(fields).id),
    );
    expect(pushed.filter((id) => !published.has(id))).toEqual([]);
    expect(await redis.llen(outboxKey)).toBe(0);
    await redis.del(outboxKey, stream);
  });
});
