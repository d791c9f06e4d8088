/**
 * The attack run, on every CI run: the whole platform behind the gateway, attacked through the
 * gateway as an outsider would (ARCHITECTURE §5–§6, issue "harden the edge"). No client input may
 * yield a 5xx or change anything; every limit holds under concurrency; tokens can be revoked.
 *
 * The gateway trusts the test's loopback address as a proxy, so each test speaks from client IPs
 * of its own (X-Forwarded-For) and the per-IP limits of one test do not spend another's.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { connect } from "node:net";
import type { Problem } from "@platform/http";
import { eventually, uniqueName } from "@platform/testing";
import { ADMIN, startPlatform } from "./platform.js";

setDefaultTimeout(60_000);

const IP_BURST = 30;
let platform: Awaited<ReturnType<typeof startPlatform>>;
let adminToken: string;

beforeAll(async () => {
  platform = await startPlatform({
    gateway: {
      TRUSTED_PROXIES: "loopback",
      RATE_LIMIT_IP_BURST: String(IP_BURST),
      RATE_LIMIT_IP_PER_MINUTE: "60",
    },
  });
  adminToken = (await login(ADMIN.email, ADMIN.password, newClientIp())).accessToken;
}, 120_000);
afterAll(async () => {
  await platform.stop();
});

let lastIp = 0;
/** A client address of the test's own (198.18.0.0/15 is for benchmarks: nobody's real address). */
function newClientIp(): string {
  lastIp++;
  return `198.18.${lastIp >> 8}.${lastIp & 255}`;
}

interface Call {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  ip?: string;
}

async function api<T = Record<string, unknown>>(method: string, path: string, call: Call = {}) {
  const headers: Record<string, string> = { "x-forwarded-for": call.ip ?? newClientIp(), ...call.headers };
  if (call.token) headers.authorization = `Bearer ${call.token}`;
  if (call.body !== undefined) headers["content-type"] ??= "application/json";
  const response = await fetch(`${platform.gateway}${path}`, {
    method,
    headers,
    body:
      call.body === undefined
        ? undefined
        : typeof call.body === "string"
          ? call.body
          : JSON.stringify(call.body),
  });
  const text = await response.text();
  let body: unknown = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { text };
  }
  return { status: response.status, headers: response.headers, body: body as T & Problem };
}

interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

async function login(email: string, password: string, ip: string): Promise<TokenPair> {
  const res = await api<TokenPair>("POST", "/api/auth/login", { body: { email, password }, ip });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status}`);
  return res.body;
}

async function customer() {
  const ip = newClientIp();
  const email = `${uniqueName("sec")}@example.com`;
  const registered = await api<{ id: string }>("POST", "/api/users", {
    body: { email, name: "Mallory", password: "mallory-password-1" },
    ip,
  });
  expect(registered.status).toBe(201);
  return { id: registered.body.id, email, ip, ...(await login(email, "mallory-password-1", ip)) };
}

async function product(initialStock: number, priceCents = 1500) {
  const sku = uniqueName("SEC").toUpperCase().replaceAll("_", "-");
  const res = await api("POST", "/api/products", {
    token: adminToken,
    body: { sku, name: `Thing ${sku}`, priceCents, initialStock },
  });
  expect(res.status).toBe(201);
  return sku;
}

const available = async (sku: string) =>
  (await api<{ available: number }>("GET", `/api/products/${sku}`)).body.available;

const ordersOf = async (token: string) =>
  (await api<{ items: unknown[] }>("GET", "/api/orders", { token })).body.items;

/** A body sent chunked (no Content-Length), `size` bytes of JSON-ish filler after `prefix`. */
function chunkedBody(prefix: string, size: number): ReadableStream<Uint8Array> {
  const chunk = new TextEncoder().encode(" ".repeat(64 * 1024));
  let sent = 0;
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(prefix));
    },
    pull(controller) {
      if (sent >= size) return controller.close();
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
}

/** One raw HTTP/1.1 request (for headers fetch will not send); answers the status code. */
function rawStatus(request: string): Promise<number> {
  const { hostname, port } = new URL(platform.gateway);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let answer = "";
    socket.on("data", (data) => {
      answer += data.toString();
      const status = answer.match(/^HTTP\/1\.1 (\d{3})/);
      if (status) {
        resolve(Number(status[1]));
        socket.destroy();
      }
    });
    socket.on("error", reject);
  });
}

describe("client input never yields a 5xx", () => {
  test("NUL characters in a query, a login and a registration are 422 naming the field", async () => {
    const search = await api("GET", "/api/products?q=%00");
    expect([search.status, search.body.code, search.body.errors?.[0]?.field]).toEqual([
      422,
      "VALIDATION_FAILED",
      "q",
    ]);
    const loginWithNul = await api("POST", "/api/auth/login", {
      body: '{"email":"a\\u0000@x.io","password":"x"}',
    });
    expect([loginWithNul.status, loginWithNul.body.errors?.[0]?.field]).toEqual([422, "email"]);
    const email = `${uniqueName("nul")}@example.com`;
    const register = await api("POST", "/api/users", {
      body: JSON.stringify({ email, name: "a\u0000b", password: "long-enough-1" }),
    });
    expect([register.status, register.body.errors?.[0]?.field]).toEqual([422, "name"]);
    // Nothing was registered: the email is still free.
    expect(
      (await api("POST", "/api/users", { body: { email, name: "Ann", password: "long-enough-1" } })).status,
    ).toBe(201);
  });

  test("JSON nested 100,000 deep is 400 MALFORMED_REQUEST", async () => {
    const deep = `{"email":${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)},"password":"x"}`;
    const res = await api("POST", "/api/auth/login", { body: deep });
    expect([res.status, res.body.code]).toEqual([400, "MALFORMED_REQUEST"]);
  });

  test("a Host header that carries a path is 400, not a crash", async () => {
    const status = await rawStatus(
      "GET /api/products HTTP/1.1\r\nHost: localhost:8080/api/internal/users/x?\r\nConnection: close\r\n\r\n",
    );
    expect(status).toBe(400);
  });

  test("two lines of one SKU that add up past the per-line maximum are 422, and nothing is reserved", async () => {
    const buyer = await customer();
    const sku = await product(20_000);
    const res = await api("POST", "/api/orders", {
      token: buyer.accessToken,
      body: {
        items: [
          { sku, quantity: 6_000 },
          { sku, quantity: 6_000 },
        ],
      },
    });
    expect([res.status, res.body.code]).toEqual([422, "VALIDATION_FAILED"]);
    expect(await available(sku)).toBe(20_000);
    expect(await ordersOf(buyer.accessToken)).toEqual([]);
  });

  test("a total past 2^53 minor units is 422, never rounded; the stock it reserved is given back", async () => {
    const buyer = await customer();
    const skus = await Promise.all(Array.from({ length: 10 }, () => product(10_000, 100_000_000_000)));
    const res = await api("POST", "/api/orders", {
      token: buyer.accessToken,
      body: { items: skus.map((sku) => ({ sku, quantity: 10_000 })) },
    });
    expect([res.status, res.body.code]).toEqual([422, "VALIDATION_FAILED"]);
    await eventually("the stock given back", async () =>
      (await Promise.all(skus.map(available))).every((left) => left === 10_000),
    );
    expect(await ordersOf(buyer.accessToken)).toEqual([]);
  });
});

describe("limits that hold", () => {
  test("a chunked body past the cap is 413 before any service acts on it: no order, no account", async () => {
    const buyer = await customer();
    const sku = await product(10);
    const order = await fetch(`${platform.gateway}/api/orders`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${buyer.accessToken}`,
        "content-type": "application/json",
        "x-forwarded-for": buyer.ip,
      },
      body: chunkedBody(`{"items":[{"sku":"${sku}","quantity":1}]`, 2 * 1024 * 1024),
    });
    expect(order.status).toBe(413);
    expect(((await order.json()) as Problem).code).toBe("PAYLOAD_TOO_LARGE");
    expect(await ordersOf(buyer.accessToken)).toEqual([]);
    expect(await available(sku)).toBe(10);

    const email = `${uniqueName("big")}@example.com`;
    const registration = await fetch(`${platform.gateway}/api/users`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": newClientIp() },
      body: chunkedBody(`{"email":"${email}","name":"Big","password":"long-enough-1"`, 3 * 1024 * 1024),
    });
    expect(registration.status).toBe(413);
    expect(
      (await api("POST", "/api/users", { body: { email, name: "Big", password: "long-enough-1" } })).status,
    ).toBe(201);
  });

  test("requests with a bad or no token spend the IP's bucket: past the burst they are 429, not 401", async () => {
    const ip = newClientIp();
    const statuses: number[] = [];
    for (let i = 0; i < IP_BURST + 5; i++) {
      const res = await api("GET", "/api/orders", { ip, headers: { authorization: "Bearer not.a.token" } });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, IP_BURST).every((status) => status === 401)).toBe(true);
    expect(statuses.slice(IP_BURST)).toEqual([429, 429, 429, 429, 429]);
  });

  test("/ready, /docs, /api/ws and /metrics are limited per IP like the API; /health is not", async () => {
    for (const path of ["/ready", "/docs", "/api/ws", "/metrics"]) {
      const ip = newClientIp();
      let last = 0;
      for (let i = 0; i <= IP_BURST; i++) last = (await api("GET", path, { ip })).status;
      expect({ path, last }).toEqual({ path, last: 429 });
    }
    const ip = newClientIp();
    for (let i = 0; i <= IP_BURST; i++) expect((await api("GET", "/health", { ip })).status).toBe(200);
  });

  test("a forged X-Forwarded-For entry does not escape the limit: the right-most untrusted hop counts", async () => {
    const ip = newClientIp();
    for (let i = 0; i < IP_BURST; i++) await api("GET", "/api/products", { ip });
    const forged = await api("GET", "/api/products", {
      headers: { "x-forwarded-for": `203.0.113.${lastIp % 250}, ${ip}` },
    });
    expect(forged.status).toBe(429);
  });

  test("20 concurrent wrong passwords for one email: as many are checked as the limit allows, the rest are 429", async () => {
    const victim = await customer();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        api("POST", "/api/auth/login", { body: { email: victim.email, password: "wrong-password" } }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
  });
});

describe("nothing exposed", () => {
  test("answers carry the security headers; /api answers are never cached", async () => {
    const buyer = await customer();
    for (const res of [
      await api("GET", "/api/users/me", { token: buyer.accessToken }),
      await api("GET", "/api/nope"),
    ]) {
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    }
  });

  test("the internal routes and the services' own documents and metrics are not reachable through the gateway", async () => {
    const buyer = await customer();
    for (const path of [
      "/api/internal/users/x",
      "/api/users/../internal/users/x",
      "/api/%69nternal/users/x",
      "/api/swagger",
      "/api/metrics",
    ]) {
      const res = await api("GET", path, { token: buyer.accessToken });
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
  });

  test("the gateway's metrics are on their own port, not on the public one", async () => {
    expect((await api("GET", "/api/products")).status).toBe(200);
    const publicAnswer = await api("GET", "/metrics");
    expect(publicAnswer.status).toBe(404);
    expect(publicAnswer.body.code).toBe("NOT_FOUND");
    const scraped = await fetch(platform.metricsUrls.gateway as string);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(
      /^http_request_duration_seconds_count\{[^}]*route="\/api\/products"/m,
    );
  });
});

describe("tokens that can be taken back", () => {
  test("logout revokes the access token and its refresh token at once, everywhere; the WebSocket is closed", async () => {
    const buyer = await customer();
    const socket = new WebSocket(
      `${platform.gateway.replace("http", "ws")}/api/ws?token=${buyer.accessToken}`,
    );
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = reject;
    });
    const closed = new Promise<number>((resolve) => {
      socket.onclose = (event) => resolve(event.code);
    });
    const out = await api("POST", "/api/auth/logout", { token: buyer.accessToken, body: {}, ip: buyer.ip });
    expect(out.status).toBe(204);
    expect(await closed).toBe(4401);
    // Each service verifies for itself: the user, the order and the notification services all refuse it.
    for (const path of ["/api/users/me", "/api/orders", "/api/notifications"]) {
      await eventually(
        `${path} to refuse the token`,
        async () => (await api("GET", path, { token: buyer.accessToken })).status === 401,
      );
    }
    const refreshed = await api("POST", "/api/auth/refresh", {
      body: { refreshToken: buyer.refreshToken },
      ip: buyer.ip,
    });
    expect(refreshed.status).toBe(401);
  });

  test("refresh rotates; presenting a spent refresh token again revokes the whole session", async () => {
    const buyer = await customer();
    const next = await api<TokenPair>("POST", "/api/auth/refresh", {
      body: { refreshToken: buyer.refreshToken },
      ip: buyer.ip,
    });
    expect(next.status).toBe(200);
    expect((await api("GET", "/api/users/me", { token: next.body.accessToken })).status).toBe(200);
    const replay = await api("POST", "/api/auth/refresh", {
      body: { refreshToken: buyer.refreshToken },
      ip: buyer.ip,
    });
    expect(replay.status).toBe(401);
    await eventually(
      "the session revoked",
      async () => (await api("GET", "/api/users/me", { token: next.body.accessToken })).status === 401,
    );
  });

  test("an admin deactivates a user: their tokens are refused at once, an order attempt is 403, login is refused", async () => {
    const buyer = await customer();
    const sku = await product(5);
    const res = await api("PATCH", `/api/users/${buyer.id}`, { token: adminToken, body: { active: false } });
    expect([res.status, res.body.active]).toEqual([200, false]);
    await eventually(
      "orders refused",
      async () =>
        (
          await api("POST", "/api/orders", {
            token: buyer.accessToken,
            body: { items: [{ sku, quantity: 1 }] },
          })
        ).status === 403,
    );
    const profile = await api("GET", "/api/users/me", { token: buyer.accessToken });
    expect([profile.status, profile.body.code]).toEqual([403, "FORBIDDEN"]);
    expect(await available(sku)).toBe(5);
    const again = await api("POST", "/api/auth/login", {
      body: { email: buyer.email, password: "mallory-password-1" },
    });
    expect(again.status).toBe(401);
  });
});
