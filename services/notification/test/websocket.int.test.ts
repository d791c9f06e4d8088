/**
 * GET /ws on a real socket and a real Redis: a socket that closes while its token is still being
 * checked (the open handler awaits the verifier) is never registered with the hub.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTokenVerifier, type TokenVerifier } from "@platform/auth";
import { createLogger } from "@platform/logging";
import { createRedis, waitForRedis } from "@platform/redis";
import { testInfra, testTokens, uniqueName } from "@platform/testing";
import { Elysia } from "elysia";
import type { Redis } from "ioredis";
import { websocketRoutes } from "../src/routes/websocket.js";
import { SocketHub } from "../src/ws/socket-hub.js";

const logger = createLogger({ service: "notification", level: "silent" });
let redis: Redis;

beforeAll(async () => {
  redis = createRedis((await testInfra()).redisUrl, logger);
  await waitForRedis(redis, logger, 10_000);
});
afterAll(() => redis.disconnect());

test("a WebSocket that closes while its token is being checked is not kept by the hub", async () => {
  const tokens = await testTokens();
  const real = createTokenVerifier({
    keys: { jwks: tokens.jwks },
    issuer: tokens.issuer,
    audience: tokens.audience,
  });
  // Every check takes 100 ms: the client closes as soon as it is open, long before the open
  // handler's own check is done.
  const verifier: TokenVerifier = {
    async verify(token) {
      const principal = await real.verify(token);
      await Bun.sleep(100);
      return principal;
    },
  };
  const hub = new SocketHub(redis, logger, uniqueName("push-test"));
  const app = new Elysia().use(websocketRoutes({ verifier, hub })).listen({ port: 0, hostname: "127.0.0.1" });
  try {
    const userId = "01900000-0000-7000-8000-0000000000a1";
    const ws = new WebSocket(
      `ws://127.0.0.1:${app.server?.port}/ws?token=${encodeURIComponent(await tokens.sign({ userId }))}`,
    );
    await new Promise((resolve) => ws.addEventListener("open", resolve));
    const closed = new Promise((resolve) => ws.addEventListener("close", resolve));
    ws.close();
    await closed;
    await Bun.sleep(250); // the open handler's check is done
    expect(hub.openSockets(userId)).toBe(0);
  } finally {
    await app.stop(true);
  }
});
