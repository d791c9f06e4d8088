/** The WebSocket hub across replicas, on a real Redis: what one turn pushes goes out as one message. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createLogger } from "@platform/logging";
import { createRedis, waitForRedis } from "@platform/redis";
import { eventually, tcpRelay, testInfra, uniqueName } from "@platform/testing";
import type { Redis } from "ioredis";
import { ChannelUnavailableError } from "../src/channels/channel.js";
import { websocketChannel } from "../src/channels/websocket.js";
import type { NotificationRow } from "../src/store/notification.table.js";
import { type PushSocket, SocketHub } from "../src/ws/socket-hub.js";

const logger = createLogger({ service: "notification", level: "silent" });
let redis: Redis;
let listener: Redis;
const channel = uniqueName("push-test");
const published: string[] = [];
const hubs: SocketHub[] = [];

/** A socket that keeps what it was sent. */
const socket = (): PushSocket & { received: unknown[] } => {
  const received: unknown[] = [];
  return { received, send: (message: string) => received.push(JSON.parse(message)) };
};

async function replica(): Promise<SocketHub> {
  const hub = new SocketHub(redis, logger, channel);
  await hub.start();
  hubs.push(hub);
  return hub;
}

beforeAll(async () => {
  const infra = await testInfra();
  redis = createRedis(infra.redisUrl, logger);
  await waitForRedis(redis, logger, 10_000);
  listener = redis.duplicate({ enableOfflineQueue: true });
  listener.on("message", (_channel: string, message: string) => published.push(message));
  await listener.subscribe(channel);
});

afterAll(async () => {
  for (const hub of hubs) await hub.stop();
  listener.disconnect();
  await redis.quit();
});

describe("SocketHub", () => {
  test("the pushes of one turn reach each user's sockets on every replica, in one PUBLISH", async () => {
    const [here, there] = [await replica(), await replica()];
    const [ann, bob, bobElsewhere] = [socket(), socket(), socket()];
    here.add("ann", ann);
    here.add("bob", bob);
    there.add("bob", bobElsewhere);

    await Promise.all([
      here.push("ann", { n: 1 }),
      here.push("bob", { n: 2 }),
      here.push("cy", { n: 3 }), // no socket anywhere: nothing to send
      here.push("ann", { n: 4 }),
    ]);

    await eventually(
      "every push delivered",
      async () => ann.received.length === 2 && bobElsewhere.received.length === 1,
    );
    expect(ann.received).toEqual([{ n: 1 }, { n: 4 }]);
    expect(bob.received).toEqual([{ n: 2 }]);
    expect(bobElsewhere.received).toEqual([{ n: 2 }]);
    expect(published).toHaveLength(1);
    expect(JSON.parse(published[0] ?? "")).toHaveLength(4);
  });

  test("a lone push goes out in the single-push form older replicas read, and a replica reads both forms", async () => {
    const hub = await replica();
    const dee = socket();
    hub.add("dee", dee);
    published.length = 0;

    await hub.push("dee", { n: 5 });
    await redis.publish(channel, JSON.stringify([{ userId: "dee", payload: { n: 6 } }]));

    // The test's own subscriber hears the PUBLISHes on a connection of its own, maybe later.
    await eventually(
      "both delivered and heard",
      async () => dee.received.length === 2 && published.length === 2,
    );
    expect(dee.received).toEqual([{ n: 5 }, { n: 6 }]);
    expect(JSON.parse(published[0] ?? "")).toEqual({ userId: "dee", payload: { n: 5 } });
  });

  test("with Redis away, the WebSocket channel is unavailable (the lane keeps the message), not failed", async () => {
    const away = createRedis("redis://127.0.0.1:1", logger); // nothing listens there
    away.on("error", () => {});
    try {
      const row = {
        id: "01900000-0000-7000-8000-000000000001",
        userId: "01900000-0000-7000-8000-0000000000a1",
        createdAt: new Date(),
        updatedAt: new Date(),
        sentAt: null,
      } as NotificationRow;
      await expect(websocketChannel(new SocketHub(away, logger, channel))(row)).rejects.toBeInstanceOf(
        ChannelUnavailableError,
      );
    } finally {
      away.disconnect();
    }
  });

  test("a subscription gone silent is noticed by its pings and made again: pushes arrive once the network is back", async () => {
    const relay = await tcpRelay(Number(new URL((await testInfra()).redisUrl).port));
    const throughRelay = createRedis(`redis://127.0.0.1:${relay.port}`, logger);
    const hub = new SocketHub(throughRelay, logger, channel, 500);
    try {
      await waitForRedis(throughRelay, logger, 10_000);
      await hub.start();
      const ann = socket();
      hub.add("ann", ann);
      relay.blackHole();
      await Bun.sleep(1_000);
      relay.restore();
      // Published by another replica (not through the relay): only a new subscription hears it.
      await eventually(
        "a push heard again",
        async () => {
          await redis.publish(channel, JSON.stringify({ userId: "ann", payload: { n: "again" } }));
          await Bun.sleep(200);
          return ann.received.length > 0;
        },
        { timeoutMs: 20_000 },
      );
      expect(ann.received[0]).toEqual({ n: "again" });
    } finally {
      await hub.stop();
      throughRelay.disconnect();
      await relay.close();
    }
  }, 30_000);
});
