/**
 * The gateway in process on real Redis, in front of a recording upstream on a real socket (it
 * stands in for "some service": these tests are about the edge — routing, tokens, limits, caps,
 * timeouts, streaming — and the end-to-end suite puts the real services behind it).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTokenVerifier } from "@platform/auth";
import { loadConfig } from "@platform/config";
import { type Problem, type RunningService, serve } from "@platform/http";
import { createLogger } from "@platform/logging";
import { createRedis } from "@platform/redis";
import { eventually, tcpRelay, testInfra, testTokens, uniqueName } from "@platform/testing";
import { Redis } from "ioredis";
import { type GatewayConfig, gatewayConfigSchema } from "../src/config.js";
import { RateLimiter } from "../src/rate-limit/rate-limiter.js";
import { createGatewayRuntime } from "../src/runtime.js";

interface Seen {
  method: string;
  path: string;
  body: string;
  headers: Record<string, string>;
}

const seen: Seen[] = [];
const upstream = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/health") return Response.json({ status: "ok" });
    if (url.pathname.endsWith("/slow")) await Bun.sleep(1_000);
    if (url.pathname.endsWith("/gzipped")) {
      // Compressed only when asked, as a service behind a compressing middleware would be.
      const gzip = request.headers.get("accept-encoding")?.includes("gzip") ?? false;
      const headers = new Headers([
        ["set-cookie", "a=1; Path=/"],
        ["set-cookie", "b=2; Path=/"],
        ["x-dropped", "by Connection"],
        ["connection", "x-dropped"],
      ]);
      if (gzip) headers.set("content-encoding", "gzip");
      return new Response(gzip ? Bun.gzipSync("a compressed answer") : "a compressed answer", { headers });
    }
    seen.push({
      method: request.method,
      path: url.pathname + url.search,
      body: await request.text(),
      headers: Object.fromEntries(request.headers),
    });
    const created = url.pathname === "/orders";
    return Response.json(
      { echoed: url.pathname },
      {
        status: created ? 201 : 200,
        headers: { "x-upstream": "yes", ...(created ? { location: "/orders/0001" } : {}) },
      },
    );
  },
});
const upstreamUrl = `http://127.0.0.1:${upstream.port}`;

let config: GatewayConfig;
let running: RunningService;
let redis: Redis;
let tokens: Awaited<ReturnType<typeof testTokens>>;

beforeAll(async () => {
  const infra = await testInfra();
  config = loadConfig(gatewayConfigSchema, {
    REDIS_URL: infra.redisUrl,
    USER_URL: upstreamUrl,
    INVENTORY_URL: upstreamUrl,
    ORDER_URL: upstreamUrl,
    ACTIVITY_URL: upstreamUrl,
    NOTIFICATION_URL: "http://127.0.0.1:1",
    UPSTREAM_TIMEOUT_MS: "300",
    RATE_LIMIT_KEY_PREFIX: `${uniqueName("t_gw")}:`,
    RATE_LIMIT_USER_BURST: "5",
    RATE_LIMIT_USER_PER_MINUTE: "60",
    RATE_LIMIT_IP_BURST: "1000",
    CORS_ORIGINS: "https://shop.example.com",
  });
  redis = new Redis(infra.redisUrl);
  tokens = await testTokens(config.JWT_ISSUER, config.JWT_AUDIENCE);
  running = startGateway(config);
});

/** A gateway in process with these settings, on this file's Redis and test keys. */
function startGateway(settings: GatewayConfig): RunningService {
  const logger = createLogger({ service: "gateway", level: "silent" });
  const verifier = createTokenVerifier({
    keys: { jwks: tokens.jwks },
    issuer: settings.JWT_ISSUER,
    audience: settings.JWT_AUDIENCE,
  });
  return serve(createGatewayRuntime(settings, { redis, verifier, logger }).app, {
    port: 0,
    hostname: "127.0.0.1",
    logger,
  });
}
afterAll(async () => {
  await running.shutdown("test over");
  upstream.stop(true);
  redis.disconnect();
});

const api = (path: string, init: RequestInit = {}) => fetch(`${running.url}/api${path}`, init);
const bearer = async (userId = Bun.randomUUIDv7(), role: "user" | "admin" = "user") => ({
  authorization: `Bearer ${await tokens.sign({ userId, role })}`,
});

describe("the gateway", () => {
  test("forwards public routes without a token, streams the body through, and passes the request id and client IP", async () => {
    seen.length = 0;
    const body = JSON.stringify({
      email: "x@example.com",
      name: "X",
      password: "long-enough",
      pad: "y".repeat(100_000),
    });
    const res = await api("/users?source=web", {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "edge-1", "x-forwarded-for": "6.6.6.6" },
      body,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("edge-1");
    expect(res.headers.get("x-upstream")).toBe("yes");
    expect(res.headers.get("ratelimit-limit")).toBe("1000");
    expect(seen[0]).toMatchObject({ method: "POST", path: "/users?source=web", body });
    expect(seen[0]?.headers["x-request-id"]).toBe("edge-1");
    expect(seen[0]?.headers["x-forwarded-for"]).toBe("127.0.0.1");
  });

  test("an answer goes back as the service encoded it, each Set-Cookie kept, what its Connection names dropped", async () => {
    const gzipped = await api("/products/gzipped", { headers: { "accept-encoding": "gzip" } });
    expect(gzipped.headers.get("content-encoding")).toBe("gzip");
    expect(await gzipped.text()).toBe("a compressed answer"); // fetch decodes what is labelled gzip
    expect(gzipped.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2; Path=/"]);
    expect(gzipped.headers.has("x-dropped")).toBe(false);
    // A client that asks for no compression gets none.
    const plain = await fetch(`${running.url}/api/products/gzipped`, { decompress: false } as RequestInit);
    expect(plain.headers.has("content-encoding")).toBe(false);
    expect(await plain.text()).toBe("a compressed answer");
  });

  test("a protected route without a valid token is 401 and never reaches the service", async () => {
    seen.length = 0;
    for (const headers of [{}, { authorization: "Bearer nonsense" }] as Array<Record<string, string>>) {
      const res = await api("/orders", { method: "POST", headers, body: "{}" });
      expect(res.status).toBe(401);
      expect(((await res.json()) as Problem).code).toBe("UNAUTHENTICATED");
    }
    expect(seen).toEqual([]);
    const ok = await api("/orders", {
      method: "POST",
      headers: { ...(await bearer()), "content-type": "application/json" },
      body: "{}",
    });
    expect(ok.status).toBe(201);
    expect(ok.headers.get("location")).toBe("/api/orders/0001"); // the service's path, as clients reach it
    expect(seen[0]?.headers.authorization).toStartWith("Bearer ");
  });

  test("a method a public path does not take is 405 with Allow, with a token or without, and never forwarded", async () => {
    const before = seen.length;
    for (const [method, path, allow] of [
      ["GET", "/auth/login", "POST"],
      ["PUT", "/auth/refresh", "POST"],
      ["GET", "/payments/webhooks/stripe", "POST"],
      ["PUT", "/payments/sandbox/0001/checkout", "GET, HEAD, POST"],
      ["POST", "/ws", "GET"],
    ] as const) {
      for (const headers of [{}, await bearer()]) {
        const res = await api(path, { method, headers });
        const body = (await res.json()) as Problem;
        expect([method, path, res.status, body.code, res.headers.get("allow")]).toEqual([
          method,
          path,
          405,
          "METHOD_NOT_ALLOWED",
          allow,
        ]);
      }
    }
    expect(seen.length).toBe(before);
  });

  test("internal and unknown paths are 404, however they are spelled", async () => {
    for (const path of [
      "/internal/users/1",
      "/users/%2e%2e/internal/users/1",
      "/nothing-here",
      "/users/1/internal",
    ]) {
      const res = await api(path, { headers: await bearer() });
      expect([path, res.status]).toEqual([path, 404]);
    }
  });

  test("a user over their limit gets 429 RATE_LIMITED with Retry-After and RateLimit headers", async () => {
    const headers = await bearer();
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 7; i++) {
      const res = await api("/activity", { headers });
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    if (!limited) throw new Error("no request was limited");
    expect(((await limited.json()) as Problem).code).toBe("RATE_LIMITED");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get("ratelimit-remaining")).toBe("0");
    // Another user is not affected.
    expect((await api("/activity", { headers: await bearer() })).status).toBe(200);
  });

  test("an IPv6 client is limited by its /64: fresh addresses from its network share one bucket", async () => {
    const limiter = new RateLimiter(redis, {
      keyPrefix: `${uniqueName("t_gw_v6")}:`,
      ip: { burst: 3, perMinute: 1 },
      user: { burst: 3, perMinute: 1 },
      logger: createLogger({ service: "gateway", level: "silent" }),
    });
    for (const address of ["2001:db8:0:7::1", "2001:db8:0:7::2", "2001:db8:0:7:ffff::3"]) {
      await limiter.takeForIp(address);
    }
    await expect(limiter.takeForIp("2001:db8:0:7::4")).rejects.toMatchObject({ code: "RATE_LIMITED" });
    await limiter.takeForIp("2001:db8:0:8::1"); // the next network has its own
  });

  test("a body over the cap is 413 PAYLOAD_TOO_LARGE", async () => {
    const res = await api("/users", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "x".repeat(2 * 1024 * 1024),
    });
    const text = await res.text();
    expect([res.status, text.slice(0, 200)]).toEqual([413, expect.stringContaining("PAYLOAD_TOO_LARGE")]);
  });

  test("/ready names a service that is down but stays 200 (degraded): the rest of the API still answers", async () => {
    const res = await fetch(`${running.url}/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: "degraded",
      checks: { redis: "ok", user: "ok", order: "ok", notification: "down" },
    });
  });

  test("Redis gone silent: /ready answers within its probe's timeout, degraded, and requests go through unlimited", async () => {
    const relay = await tcpRelay(Number(new URL(config.REDIS_URL).port));
    const logger = createLogger({ service: "gateway", level: "silent" });
    const silentRedis = createRedis(`redis://127.0.0.1:${relay.port}`, logger);
    await new Promise((resolve) => silentRedis.once("ready", resolve));
    const verifier = createTokenVerifier({
      keys: { jwks: tokens.jwks },
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    });
    const gateway = serve(createGatewayRuntime(config, { redis: silentRedis, verifier, logger }).app, {
      port: 0,
      hostname: "127.0.0.1",
      logger,
    });
    try {
      relay.blackHole();
      // Its IP's token (given up on after 1 s) and the checks (2 s each, at once): within the
      // probe's own timeout (deploy/k8s, 3 s; a little more here for a busy test box).
      const ready = await fetch(`${gateway.url}/ready`, { signal: AbortSignal.timeout(4_500) });
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: "degraded", checks: { redis: "timeout" } });
      // Well before Redis's own command timeout (5 s): the limiter waits a second.
      const listed = await fetch(`${gateway.url}/api/products`, { signal: AbortSignal.timeout(4_000) });
      expect([listed.status, listed.headers.get("ratelimit-limit")]).toEqual([200, null]);
    } finally {
      await gateway.shutdown("test over");
      silentRedis.disconnect();
      await relay.close();
    }
  }, 20_000);

  test("a service that is too slow is 504, one that is down is 503; neither names a host", async () => {
    const timeout = await fetch(`${running.url}/api/activity/slow`, { headers: await bearer() });
    expect(timeout.status).toBe(504);
    expect(((await timeout.json()) as { code: string }).code).toBe("UPSTREAM_TIMEOUT");
    const down = await api("/notifications", { headers: await bearer() });
    expect(down.status).toBe(503);
    const text = await down.text();
    expect(JSON.parse(text).code).toBe("DEPENDENCY_UNAVAILABLE");
    expect(text).not.toContain("127.0.0.1");
  });

  test("CORS answers configured origins only", async () => {
    const preflight = await api("/orders", {
      method: "OPTIONS",
      headers: { origin: "https://shop.example.com", "access-control-request-method": "POST" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://shop.example.com");
    const stranger = await api("/products", { headers: { origin: "https://evil.example.com" } });
    expect(stranger.headers.get("access-control-allow-origin")).not.toBe("https://evil.example.com");
  });

  test("/docs serves Swagger UI from the gateway itself; the public document needs every service's", async () => {
    const page = await fetch(`${running.url}/docs`).then((r) => r.text());
    expect(page).toContain("/docs/assets/init.js");
    expect(page).not.toContain("https://");
    expect(await fetch(`${running.url}/docs/assets/init.js`).then((r) => r.text())).toContain(
      "/docs/openapi.json",
    );
    for (const asset of [
      "swagger-ui.css",
      "swagger-ui-bundle.js",
      "swagger-ui-standalone-preset.js",
      "init.js",
    ]) {
      expect((await fetch(`${running.url}/docs/assets/${asset}`)).status).toBe(200);
    }
    expect((await fetch(`${running.url}/docs/assets/package.json`)).status).toBe(404);
    // The notification service is down in this file's setup.
    expect((await fetch(`${running.url}/docs/openapi.json`)).status).toBe(503);
  });
});

describe("the live-notification socket through the edge", () => {
  /** Stands in for the notification service's /ws: greets, answers "ping", closes when told to. */
  const notifications = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: (request, server) =>
      server.upgrade(request) ? undefined : new Response("upgrade expected", { status: 400 }),
    websocket: {
      open: (ws) => void ws.send(JSON.stringify({ type: "welcome" })),
      message(ws, message) {
        const closeWith = /^close (\d+)$/.exec(String(message));
        if (closeWith) ws.close(Number(closeWith[1]), "told to");
        else ws.send("pong");
      },
    },
  });
  let edge: RunningService;
  beforeAll(() => {
    edge = startGateway({
      ...config,
      NOTIFICATION_URL: `http://127.0.0.1:${notifications.port}`,
      WS_MAX_SOCKETS_PER_USER: 2,
    });
  });
  afterAll(async () => {
    await edge.shutdown("test over");
    notifications.stop(true);
  });

  /** A socket through `gateway`, with what it was sent and how it closed. */
  function connect(gateway: string, token: string) {
    const socket = new WebSocket(`${gateway.replace("http", "ws")}/api/ws?token=${token}`);
    const received: string[] = [];
    socket.onmessage = (message) => void received.push(String(message.data));
    const closed = new Promise<{ code: number; reason: string }>((resolve) => {
      socket.onclose = ({ code, reason }) => resolve({ code, reason });
    });
    const greeted = () => received.some((m) => m.includes("welcome"));
    return { socket, received, closed, greeted };
  }
  const tokenFor = async (userId: string) => (await bearer(userId)).authorization.slice("Bearer ".length);

  test("a user's sockets are capped: one more is 429 RATE_LIMITED before the upgrade; a closed one frees its place", async () => {
    const userId = Bun.randomUUIDv7();
    const token = await tokenFor(userId);
    const first = connect(edge.url, token);
    const second = connect(edge.url, token);
    await eventually("both greeted", () => first.greeted() && second.greeted());

    const third = await fetch(`${edge.url}/api/ws?token=${token}`, {
      headers: {
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      },
    });
    expect([third.status, third.headers.get("retry-after")]).toEqual([429, "5"]);
    expect(((await third.json()) as Problem).code).toBe("RATE_LIMITED");
    // Another user is not affected.
    const other = connect(edge.url, await tokenFor(Bun.randomUUIDv7()));
    await eventually("the other user greeted", other.greeted);

    first.socket.close();
    await first.closed;
    const again = connect(edge.url, token);
    await eventually("a socket in the freed place greeted", again.greeted);
    for (const open of [second, other, again]) open.socket.close();
  });

  test("a client message over 64 KiB closes the socket (1009); a ping is answered", async () => {
    const client = connect(edge.url, await tokenFor(Bun.randomUUIDv7()));
    await eventually("greeted", client.greeted);
    client.socket.send("ping");
    await eventually("the pong", () => client.received.includes("pong"));
    client.socket.send("x".repeat(64 * 1024 + 1));
    expect((await client.closed).code).toBe(1009);
  });

  test("the notification service's close code reaches the client; one that cannot be reached is 1013", async () => {
    const client = connect(edge.url, await tokenFor(Bun.randomUUIDv7()));
    await eventually("greeted", client.greeted);
    client.socket.send("close 4409");
    expect(await client.closed).toEqual({ code: 4409, reason: "told to" });

    // This file's first gateway has its notification service at a port nothing listens on.
    const unreachable = connect(running.url, await tokenFor(Bun.randomUUIDv7()));
    expect((await unreachable.closed).code).toBe(1013);
  });
});
