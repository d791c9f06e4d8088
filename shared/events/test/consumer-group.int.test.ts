import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { createLogger } from "@platform/logging";
import { createRedis } from "@platform/redis";
import { eventually, tcpRelay, testInfra, uniqueName, unreadableEntryFields } from "@platform/testing";
import { Redis } from "ioredis";
import { Registry } from "prom-client";
import {
  ConsumerGroup,
  type ConsumerGroupOptions,
  ConsumerMetrics,
  type DomainEvent,
  deadLetterStream,
  type EventHandler,
  listDeadLetters,
  newEvent,
  publishEvent,
  replayDeadLetter,
  TRIMMED_ERROR,
  toStreamFields,
  trimStream,
} from "../src/index.js";

// These tests wait on servers, streams and retries; the default 5 s is too tight on a busy 2-core box.
setDefaultTimeout(30_000);

let redis: Redis;
let redisUrl: string;
const logger = createLogger({ service: "events-test", level: "silent" });
const running: ConsumerGroup[] = [];

beforeAll(async () => {
  ({ redisUrl } = await testInfra());
  redis = new Redis(redisUrl);
});

afterAll(async () => {
  await Promise.all(running.map((consumer) => consumer.stop()));
  redis.disconnect();
});

function consume(
  options: Partial<ConsumerGroupOptions> & Pick<ConsumerGroupOptions, "streams" | "group" | "handler">,
) {
  const consumer = new ConsumerGroup({
    redis,
    logger,
    claimIdleMs: 300,
    claimIntervalMs: 100,
    blockMs: 200,
    ...options,
  });
  running.push(consumer);
  return consumer;
}

/** XINFO GROUPS for one group: entries not yet delivered (lag) and delivered but not acknowledged. */
async function groupState(stream: string, group: string) {
  const groups = (await redis.xinfo("GROUPS", stream)) as unknown[][];
  for (const fields of groups) {
    const info = Object.fromEntries(fields.flatMap((v, i) => (i % 2 === 0 ? [[v, fields[i + 1]]] : [])));
    if (info.name === group) return { lag: Number(info.lag), pending: Number(info.pending) };
  }
  throw new Error(`no group ${group} on ${stream}`);
}

const orderCreated = (n: number) =>
  newEvent("order.created", { orderId: `o-${n}` }, { requestId: `req-${n}` });

function recordingHandler() {
  const seen: DomainEvent[] = [];
  const handler: EventHandler = async (event) => {
    seen.push(event);
  };
  return { seen, handler };
}

describe("publishEvent + ConsumerGroup", () => {
  test("an event retried through an outage is logged with its fields once per line, however many tries", async () => {
    const stream = uniqueName("events:test");
    const lines: string[] = [];
    const capturing = createLogger({
      service: "events-test",
      level: "warn",
      destination: { write: (line: string) => void lines.push(line) },
    });
    let tries = 0;
    const handler: EventHandler = async () => {
      if (++tries <= 3) throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    };
    await consume({ streams: [stream], group: "outage", handler, logger: capturing }).start();
    await publishEvent(redis, stream, orderCreated(1));
    await eventually("the event handled after three outage retries", () => tries === 4, {
      timeoutMs: 15_000,
    });
    const retries = lines.filter((line) => line.includes("a dependency is unavailable"));
    expect(retries).toHaveLength(3);
    for (const line of retries) expect(line.split('"eventId"').length - 1).toBe(1);
  });

  test("events published to a stream are consumed once by each group, with every envelope field", async () => {
    const stream = uniqueName("events:test");
    const first = recordingHandler();
    const second = recordingHandler();
    await consume({ streams: [stream], group: "activity", handler: first.handler }).start();
    await consume({ streams: [stream], group: "notification", handler: second.handler }).start();

    const events = [orderCreated(1), orderCreated(2), orderCreated(3)];
    for (const event of events) await publishEvent(redis, stream, event);

    await eventually(
      "both groups to see three events",
      () => first.seen.length === 3 && second.seen.length === 3,
    );
    expect(first.seen).toEqual(events);
    expect(second.seen).toEqual(events);
    await eventually("every entry acknowledged by both groups", async () => {
      const [activity, notification] = await Promise.all([
        groupState(stream, "activity"),
        groupState(stream, "notification"),
      ]);
      return activity.pending === 0 && notification.pending === 0;
    });
  });

  test("consumers in one group share the work: each event is handled by exactly one of them", async () => {
    const stream = uniqueName("events:test");
    const a = recordingHandler();
    const b = recordingHandler();
    await consume({ streams: [stream], group: "g", consumer: "a", handler: a.handler, batchSize: 1 }).start();
    await consume({ streams: [stream], group: "g", consumer: "b", handler: b.handler, batchSize: 1 }).start();
    for (let i = 0; i < 40; i++) await publishEvent(redis, stream, orderCreated(i));
    await eventually("forty events handled", () => a.seen.length + b.seen.length === 40);
    const ids = [...a.seen, ...b.seen].map((e) => e.id);
    expect(new Set(ids).size).toBe(40);
  });

  test("an entry read by a consumer that crashed before acking is reclaimed and handled once by another", async () => {
    const stream = uniqueName("events:test");
    const group = "notification";
    await redis.xgroup("CREATE", stream, group, "0", "MKSTREAM");
    const event = orderCreated(7);
    await publishEvent(redis, stream, event);

    const crashing = Bun.spawn(
      ["bun", join(import.meta.dir, "fixtures", "crashing-consumer.ts"), redisUrl, stream, group],
      {
        stdout: "pipe",
        stderr: "inherit",
      },
    );
    const exitCode = await crashing.exited;
    expect(await new Response(crashing.stdout).text()).toBe("handling\n");
    expect(exitCode).not.toBe(0);
    const [pendingAfterCrash] = (await redis.xpending(stream, group, "-", "+", 10)) as Array<
      [string, string]
    >;
    expect(pendingAfterCrash?.[1]).toBe("doomed");

    const survivor = recordingHandler();
    const deliveries: number[] = [];
    await consume({
      streams: [stream],
      group,
      consumer: "survivor",
      handler: async (e, context) => {
        deliveries.push(context.deliveries);
        await survivor.handler(e, context);
      },
    }).start();
    await eventually("the survivor to reclaim the entry", () => survivor.seen.length === 1);
    expect(survivor.seen[0]).toEqual(event);
    expect(deliveries).toEqual([2]);
    await eventually(
      "the entry to be acknowledged",
      async () => (await groupState(stream, group)).pending === 0,
    );
    await Bun.sleep(500); // past another claim interval: nothing is handled a second time
    expect(survivor.seen).toHaveLength(1);
  });

  test("a poison entry goes to <stream>:dlq after maxDeliveries and does not block the entries behind it", async () => {
    const stream = uniqueName("events:orders");
    const good = recordingHandler();
    let attempts = 0;
    await consume({
      streams: [stream],
      group: "activity",
      maxDeliveries: 3,
      handler: async (event, context) => {
        if (event.type === "order.exploded") {
          attempts++;
          throw new Error(`cannot handle ${event.type} (delivery ${context.deliveries})`);
        }
        await good.handler(event, context);
      },
    }).start();

    const poisonEntryId = await redis.xadd(stream, "*", ...unreadableEntryFields("not-json-payload"));
    const exploding = newEvent("order.exploded", {}, { requestId: "req-x" });
    const explodingEntryId = await publishEvent(redis, stream, exploding);
    for (let i = 0; i < 5; i++) await publishEvent(redis, stream, orderCreated(i));

    // The good entries behind the poison ones are handled straight away.
    await eventually("the five good events", () => good.seen.length === 5, { timeoutMs: 3000 });

    const letters = await eventually("two dead letters", async () => {
      const found = await listDeadLetters(redis, stream);
      return found.length === 2 ? found : undefined;
    });
    expect(attempts).toBe(3);
    const byOriginal = Object.fromEntries(letters.map((l) => [l.originalId, l]));
    expect(byOriginal[poisonEntryId ?? ""]).toMatchObject({
      originalStream: stream,
      group: "activity",
      deliveries: 3,
      fields: { id: "not-json-payload", payload: "{not json" },
    });
    expect(byOriginal[poisonEntryId ?? ""]?.error).toContain("payload is not JSON");
    expect(byOriginal[explodingEntryId]?.error).toContain("cannot handle order.exploded (delivery 3)");
    expect(await redis.xlen(deadLetterStream(stream))).toBe(2);
    expect((await groupState(stream, "activity")).pending).toBe(0);
  });

  test("through an outage the entries waiting behind the one retried are kept too: no other consumer reclaims them towards the dead-letter stream", async () => {
    const stream = uniqueName("events:orders");
    const group = "payment";
    await redis.xgroup("CREATE", stream, group, "0", "MKSTREAM");
    for (let i = 0; i < 6; i++) await publishEvent(redis, stream, orderCreated(i));
    // Retries through an outage pause 200, 400, 800 then 1 600 ms: each pause stays under claimIdleMs.
    const settings = { streams: [stream], group, claimIdleMs: 2_500, maxDeliveries: 1 };
    let outageEndsAt = 0;
    const handled: string[] = [];
    const handler: EventHandler = async (event) => {
      outageEndsAt ||= Date.now() + 1_500;
      if (Date.now() < outageEndsAt) {
        throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      }
      handled.push(String((event.payload as { orderId: string }).orderId));
    };
    await consume({ ...settings, consumer: "reader", handler }).start();
    await eventually(
      "the reader to hold all six",
      async () => (await groupState(stream, group)).pending === 6,
    );
    // Another replica, looking for idle entries to reclaim while the reader waits out the outage.
    await consume({ ...settings, consumer: "other", handler }).start();

    await eventually("all six handled", () => handled.length === 6, { timeoutMs: 15_000 });
    expect(handled.toSorted()).toEqual(Array.from({ length: 6 }, (_, i) => `o-${i}`));
    expect(await redis.xlen(deadLetterStream(stream))).toBe(0);
    expect((await groupState(stream, group)).pending).toBe(0);
  });

  test("a replayed dead letter keeps its event id and is handled again", async () => {
    const stream = uniqueName("events:orders");
    const handled: string[] = [];
    let failNext = true;
    await consume({
      streams: [stream],
      group: "notification",
      maxDeliveries: 1,
      handler: async (event) => {
        if (failNext) throw new Error("smtp down");
        handled.push(event.id);
      },
    }).start();
    const event = orderCreated(9);
    await publishEvent(redis, stream, event);
    const [letter] = await eventually("the dead letter", async () => {
      const found = await listDeadLetters(redis, stream);
      return found.length === 1 ? found : undefined;
    });
    expect(letter?.fields.id).toBe(event.id);
    expect(letter?.error).toContain("smtp down");

    failNext = false;
    await replayDeadLetter(redis, stream, letter?.id ?? "");
    await eventually("the replayed event handled", () => handled.length === 1);
    expect(handled).toEqual([event.id]);
    expect(await redis.xlen(deadLetterStream(stream))).toBe(0);
  });

  test("a dead letter replayed twice at once goes back on its stream once", async () => {
    const stream = uniqueName("events:orders");
    const group = "g";
    await redis.xgroup("CREATE", stream, group, "$", "MKSTREAM");
    const failing = consume({
      streams: [stream],
      group,
      maxDeliveries: 1,
      handler: async () => {
        throw new Error("smtp down");
      },
    });
    await failing.start();
    const event = orderCreated(7);
    await publishEvent(redis, stream, event);
    const [letter] = await eventually("the dead letter", async () => {
      const found = await listDeadLetters(redis, stream);
      return found.length === 1 ? found : undefined;
    });
    await failing.stop(); // or it would dead-letter the replayed entry again
    const deadLetterId = letter?.id ?? "";

    const replays = await Promise.all(
      Array.from({ length: 5 }, () => replayDeadLetter(redis, stream, deadLetterId)),
    );
    const replayedAs = replays.filter((id) => id !== undefined);
    expect(replayedAs).toHaveLength(1);
    const onStream = await redis.xrange(stream, "-", "+");
    expect(onStream.map(([id]) => id)).toEqual([expect.any(String), replayedAs[0]]);
    // The original fields only, the event id among them; none of the dead letter's own.
    const replayed = Object.fromEntries(
      (onStream[1]?.[1] ?? []).flatMap((v, i, all) => (i % 2 === 0 ? [[v, all[i + 1]]] : [])),
    );
    expect(replayed.id).toBe(event.id);
    expect(Object.keys(replayed)).toEqual(Object.keys(letter?.fields ?? {}));
    expect(await redis.xlen(deadLetterStream(stream))).toBe(0);
    expect(await replayDeadLetter(redis, stream, deadLetterId)).toBeUndefined();
  });

  test("stop() finishes the event in hand before returning, and the consumer leaves the group when idle", async () => {
    const stream = uniqueName("events:test");
    let finished = false;
    let started = false;
    const consumer = consume({
      streams: [stream],
      group: "g",
      consumer: "leaving",
      handler: async () => {
        started = true;
        await Bun.sleep(300);
        finished = true;
      },
    });
    await consumer.start();
    await publishEvent(redis, stream, orderCreated(1));
    await eventually("the handler to start", () => started);
    await consumer.stop();
    expect(finished).toBe(true);
    expect((await groupState(stream, "g")).pending).toBe(0);
    const consumers = (await redis.xinfo("CONSUMERS", stream, "g")) as unknown[];
    expect(consumers).toHaveLength(0);
  });

  test("stop() in an outage leaves the batch in hand pending for another consumer, without trying its events one by one", async () => {
    const stream = uniqueName("events:test");
    for (let i = 0; i < 3; i++) await publishEvent(redis, stream, orderCreated(i));
    const refused = () => Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    let batchTries = 0;
    const alone: string[] = [];
    const consumer = consume({
      streams: [stream],
      group: "g",
      handler: async (event) => {
        alone.push(event.id);
        throw refused();
      },
      batchHandler: async () => {
        batchTries++;
        throw refused();
      },
    });
    await consumer.start();
    await eventually("the batch tried", () => batchTries >= 1);
    await consumer.stop();
    expect(alone).toEqual([]);
    expect((await groupState(stream, "g")).pending).toBe(3);
  });

  test("stop() in an outage leaves the other streams' entries of the same read pending too, untried", async () => {
    const streams = [uniqueName("events:test"), uniqueName("events:test")];
    for (const stream of streams)
      for (let i = 0; i < 2; i++) await publishEvent(redis, stream, orderCreated(i));
    const refused = () => Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const tried: string[] = [];
    const consumer = consume({
      streams,
      group: "g",
      handler: async () => {
        throw refused();
      },
      batchHandler: async (batch) => {
        tried.push(batch[0]?.context.stream ?? "");
        throw refused();
      },
    });
    await consumer.start(); // one read returns both streams' entries
    await eventually("the first stream's batch tried", () => tried.length >= 1);
    await consumer.stop();
    expect(tried).toEqual(streams.slice(0, 1));
    for (const stream of streams) expect((await groupState(stream, "g")).pending).toBe(2);
  });

  test("a consumer that holds nothing and has not read for forgetConsumersIdleMs is deleted from the group; live ones stay", async () => {
    const stream = uniqueName("events:test");
    await redis.xgroup("CREATE", stream, "g", "0", "MKSTREAM");
    await redis.xgroup("CREATECONSUMER", stream, "g", "departed"); // a process killed long ago
    const consumer = consume({
      streams: [stream],
      group: "g",
      consumer: "alive",
      handler: async () => {},
      forgetConsumersIdleMs: 1_500,
    });
    await consumer.start();
    await publishEvent(redis, stream, orderCreated(1)); // a consumer is listed once it was given an entry
    const names = async () =>
      ((await redis.xinfo("CONSUMERS", stream, "g")) as unknown[][]).map((fields) => fields[1]);
    await eventually("the departed consumer deleted", async () => !(await names()).includes("departed"), {
      timeoutMs: 10_000,
    });
    expect(await names()).toEqual(["alive"]);
  });

  test("metrics count processed events and report each group's lag", async () => {
    const stream = uniqueName("events:test");
    const registry = new Registry();
    const metrics = new ConsumerMetrics(registry);
    const seen = recordingHandler();
    await consume({ streams: [stream], group: "activity", handler: seen.handler, metrics }).start();
    for (let i = 0; i < 3; i++) await publishEvent(redis, stream, orderCreated(i));
    await eventually("three events", () => seen.seen.length === 3);
    await Bun.sleep(50);
    const text = await registry.metrics();
    expect(text).toContain(
      `events_processed_total{stream="${stream}",group="activity",type="order.created"} 3`,
    );
    expect(text).toContain(`events_consumer_lag{stream="${stream}",group="activity"} 0`);
  });

  test("a scrape while Redis has gone silent answers in time, without the groups' gauges", async () => {
    const relay = await tcpRelay(Number(new URL(redisUrl).port));
    const silent = createRedis(`redis://127.0.0.1:${relay.port}`, logger);
    try {
      await new Promise((resolve) => silent.once("ready", resolve));
      const registry = new Registry();
      const metrics = new ConsumerMetrics(registry);
      const streams = [uniqueName("events:orders"), uniqueName("events:payments")];
      for (const stream of streams) {
        await redis.xgroup("CREATE", stream, "activity", "0", "MKSTREAM");
        metrics.watch(silent, stream, "activity");
      }
      expect(await registry.metrics()).toContain(`events_consumer_lag{stream="${streams[0]}"`);
      relay.blackHole();
      await Bun.sleep(1_100); // past the reuse of the last reading
      // Prometheus gives up on a scrape after its timeout (10 s, observability/prometheus).
      const text = await Promise.race([registry.metrics(), Bun.sleep(4_000).then(() => "no answer")]);
      expect(text).toContain("events_dead_lettered_total");
      expect(text).not.toContain(`events_consumer_lag{stream="${streams[0]}"`);
    } finally {
      silent.disconnect();
      await relay.close();
    }
  });

  test("a batch handler takes the events of one read together; one poison event fails alone", async () => {
    const stream = uniqueName("events:test");
    const batches: string[][] = [];
    const alone: string[] = [];
    // Published before the consumer starts, so that one read returns them all.
    const events = Array.from({ length: 6 }, (_, i) => orderCreated(i));
    const poison = newEvent("order.exploded", {}, { requestId: "req-x" });
    for (const event of [...events.slice(0, 3), poison, ...events.slice(3)])
      await publishEvent(redis, stream, event);
    await consume({
      streams: [stream],
      group: "g",
      maxDeliveries: 2,
      handler: async (event) => {
        if (event.type === "order.exploded") throw new Error("cannot handle it");
        alone.push(event.id);
      },
      batchHandler: async (batch) => {
        if (batch.some(({ event }) => event.type === "order.exploded")) throw new Error("cannot handle it");
        batches.push(batch.map(({ event }) => event.id));
      },
    }).start();
    await eventually("the six good events", () => alone.length === 6);
    expect(batches).toEqual([]); // the batch held the poison event: each went on its own
    expect(alone.sort()).toEqual(events.map((e) => e.id).sort());
    await eventually(
      "the poison event dead-lettered",
      async () => (await listDeadLetters(redis, stream)).length === 1,
    );

    // A batch without a poison event is handled in one call and acknowledged at once. (One MULTI, so
    // that the consumer's blocked read wakes up to all four.)
    const more = Array.from({ length: 4 }, (_, i) => orderCreated(10 + i));
    const multi = redis.multi();
    for (const event of more) multi.xadd(stream, "*", ...toStreamFields(event));
    await multi.exec();
    await eventually("the next batch", () => batches.length >= 1 && batches.flat().length === 4);
    expect(batches.flat().sort()).toEqual(more.map((e) => e.id).sort());
    await eventually("nothing pending", async () => (await groupState(stream, "g")).pending === 0);
  });

  test("a handler that hangs (a store gone mid-operation) is given up on and the event retried", async () => {
    const stream = uniqueName("events:test");
    let calls = 0;
    const done: string[] = [];
    await consume({
      streams: [stream],
      group: "g",
      handlerTimeoutMs: 200,
      handler: async (event) => {
        calls++;
        if (calls === 1) await new Promise(() => {}); // never settles
        done.push(event.id);
      },
    }).start();
    const event = orderCreated(1);
    await publishEvent(redis, stream, event);
    await eventually("the event handled on the second try", () => done.length === 1);
    expect(done).toEqual([event.id]);
    await eventually("acknowledged", async () => (await groupState(stream, "g")).pending === 0);
    expect(await listDeadLetters(redis, stream)).toEqual([]);
  });

  test("trimStream trims towards the bound but keeps every entry a group has not read or acknowledged", async () => {
    const stream = uniqueName("events:test");
    await redis.xgroup("CREATE", stream, "fast", "$", "MKSTREAM");
    await redis.xgroup("CREATE", stream, "slow", "$");
    for (let i = 0; i < 500; i++) await publishEvent(redis, stream, orderCreated(i));
    // "fast" reads and acknowledges everything; "slow" reads 400 and acknowledges all but the 300th.
    const readAll = async (group: string, count: number) =>
      (
        (await redis.xreadgroup("GROUP", group, "c", "COUNT", count, "STREAMS", stream, ">")) as Array<
          [string, Array<[string, string[]]>]
        >
      )[0]?.[1].map(([id]) => id) ?? [];
    await redis.xack(stream, "fast", ...(await readAll("fast", 500)));
    const slow = await readAll("slow", 400);
    const stillPending = slow[299] as string;
    await redis.xack(stream, "slow", ...slow.filter((id) => id !== stillPending));

    await trimStream(redis, stream, 100);
    // The pending entry and everything after it stay; approximate trimming may keep a little more.
    expect((await redis.xrange(stream, stillPending, stillPending)).length).toBe(1);
    expect(await redis.xlen(stream)).toBeGreaterThanOrEqual(201);
    expect(await redis.xlen(stream)).toBeLessThan(500);

    // Once "slow" has acknowledged everything it read, the entries it has not read (100) still stay.
    await redis.xack(stream, "slow", stillPending);
    await trimStream(redis, stream, 10);
    expect(await redis.xlen(stream)).toBeGreaterThanOrEqual(100);
    expect(await redis.xlen(stream)).toBeLessThan(201);
    expect(await readAll("slow", 1000)).toHaveLength(100);
  });

  test("an entry trimmed while pending becomes a dead letter without fields instead of vanishing", async () => {
    const stream = uniqueName("events:test");
    const group = "g";
    await redis.xgroup("CREATE", stream, group, "$", "MKSTREAM");
    const entryId = await publishEvent(redis, stream, orderCreated(1));
    await redis.xreadgroup("GROUP", group, "crashed", "COUNT", 1, "STREAMS", stream, ">");
    await redis.xdel(stream, entryId);
    await consume({ streams: [stream], group, handler: async () => {} }).start();
    const [letter] = await eventually("the dead letter", async () => {
      const found = await listDeadLetters(redis, stream);
      return found.length === 1 ? found : undefined;
    });
    expect(letter).toMatchObject({ originalId: entryId, group, error: TRIMMED_ERROR, fields: {} });
    expect((await groupState(stream, group)).pending).toBe(0);
    await expect(replayDeadLetter(redis, stream, letter?.id ?? "")).rejects.toThrow(/trimmed/);
  });
});
