/** The platform's Redis client against a Redis that vanishes without a word (ARCHITECTURE §12). */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { createLogger } from "@platform/logging";
import { eventually, type TcpRelay, tcpRelay, testInfra, uniqueName } from "@platform/testing";
import { createRedis } from "../src/index.js";

setDefaultTimeout(30_000);

let relay: TcpRelay;

beforeAll(async () => {
  const { redisUrl } = await testInfra();
  relay = await tcpRelay(Number(new URL(redisUrl).port));
});
afterAll(() => relay.close());

test("a connection that went silent is replaced once the network is back: commands work again", async () => {
  const redis = createRedis(
    `redis://127.0.0.1:${relay.port}`,
    createLogger({ service: "t", level: "silent" }),
  );
  try {
    await new Promise((resolve) => redis.once("ready", resolve));
    const key = uniqueName("silent");
    await redis.set(key, "kept");
    relay.blackHole();
    await expect(redis.get(key)).rejects.toThrow(/timed? ?out/i);
    relay.restore();
    // The old connection never answers again (nor closes): only a new one can.
    await eventually(
      "a command answered",
      () =>
        redis.get(key).then(
          (value) => value === "kept",
          () => false,
        ),
      {
        timeoutMs: 20_000,
      },
    );
    expect(relay.connections).toBeGreaterThanOrEqual(2);
  } finally {
    redis.disconnect();
  }
});
