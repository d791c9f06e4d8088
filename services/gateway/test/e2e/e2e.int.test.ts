/**
 * End to end: every service as a real process behind the gateway, driven only through the public
 * API (ARCHITECTURE §2–§7): accounts, catalog (archive, sorts and cursors), orders and their
 * invariants, the activity trail, notifications by email, SMS and WebSocket with the customer's
 * preferences, the error contract, and one request id through every log.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { createApiClient } from "@platform/api-client";
import { GENERATED_FILE, generateTypes } from "@platform/api-client/generate";
import type { Problem } from "@platform/http";
import { eventually, uniqueName } from "@platform/testing";
import { gatewayClient } from "./gateway-client.js";
import { ADMIN, startPlatform } from "./platform.js";

setDefaultTimeout(60_000);

let platform: Awaited<ReturnType<typeof startPlatform>>;
let client: ReturnType<typeof gatewayClient>;
let adminToken: string;

beforeAll(async () => {
  platform = await startPlatform();
  client = gatewayClient(platform.gateway);
  adminToken = await client.login(ADMIN.email, ADMIN.password);
}, 120_000);
afterAll(async () => {
  await platform.stop();
});

const product = (initialStock: number, priceCents?: number) =>
  client.product(adminToken, initialStock, priceCents);

describe("the platform through the gateway", () => {
  test("register, log in, read your profile", async () => {
    const buyer = await client.customer();
    const me = await client.api("GET", "/users/me", { token: buyer.token });
    expect(me.body).toMatchObject({ id: buyer.id, email: buyer.email, role: "user" });
  });

  test("an order's whole story: placed, stock taken, activity trail, email, WebSocket push, notifications; then cancelled", async () => {
    const buyer = await client.customer();
    const sku = await product(10, 2500);
    const socket = new WebSocket(`${platform.gateway.replace("http", "ws")}/api/ws?token=${buyer.token}`);
    const pushes: Array<Record<string, unknown>> = [];
    await new Promise<void>((resolve, reject) => {
      socket.onmessage = (m) => {
        const data = JSON.parse(String(m.data));
        if (data.type === "welcome") resolve();
        else pushes.push(data);
      };
      socket.onerror = () => reject(new Error("the WebSocket did not open"));
    });

    const placed = await client.api<{ id: string; totalCents: number; items: unknown[] }>("POST", "/orders", {
      token: buyer.token,
      body: { items: [{ sku, quantity: 2 }] },
    });
    expect(placed.status).toBe(201);
    expect(placed.headers.get("location")).toBe(`/api/orders/${placed.body.id}`);
    expect(placed.body.totalCents).toBe(5000);
    expect(await client.available(sku)).toBe(8);

    await eventually("order.created in the activity trail", async () => {
      const trail = await client.api("GET", `/activity?orderId=${placed.body.id}`, { token: buyer.token });
      return trail.body.items?.some((e) => e.type === "order.created");
    });
    await eventually("the confirmation email", () =>
      platform.smtp.messages.some((m) => m.text?.includes(placed.body.id)),
    );
    const email = platform.smtp.messages.find((m) => m.text?.includes(placed.body.id));
    expect(email?.text).toContain(`2 × Thing ${sku}`);
    await eventually("the WebSocket push", () =>
      pushes.some((p) => (p.notification as { orderId?: string })?.orderId === placed.body.id),
    );
    const notifications = await eventually("the notifications sent", async () => {
      const list = await client.api("GET", `/notifications?orderId=${placed.body.id}`, {
        token: buyer.token,
      });
      const items = list.body.items ?? [];
      return items.length === 3 && items.every((n) => n.status === "sent") ? items : undefined;
    });
    expect(notifications.map((n) => n.channel).sort()).toEqual(["email", "log", "websocket"]);

    const cancelled = await client.api<{ status: string }>("POST", `/orders/${placed.body.id}/cancel`, {
      token: buyer.token,
    });
    expect(cancelled.body.status).toBe("CANCELLED");
    await eventually("the stock back", async () => (await client.available(sku)) === 10);
    const trail = await eventually("the cancellation in the trail", async () => {
      const found = await client.api("GET", `/activity?orderId=${placed.body.id}`, { token: buyer.token });
      return found.body.items?.some((e) => e.type === "order.status.updated") ? found.body.items : undefined;
    });
    expect(trail.map((e) => e.type)).toEqual(["order.status.updated", "order.created"]);
    socket.close();
  });

  test("a customer with a phone who turned email off: a text message per order event, reaching the sink once; no email", async () => {
    const buyer = await client.customer();
    const phone = `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
    expect(
      (await client.api("PATCH", "/users/me", { token: buyer.token, body: { phone } })).body,
    ).toMatchObject({
      phone,
    });
    const preferences = "/users/me/notification-preferences";
    expect((await client.api("GET", preferences, { token: buyer.token })).body).toEqual({
      email: true,
      sms: true,
      webhook: true,
    });
    // Half a preference is not a preference: PUT takes all three; a stranger takes none.
    const partial = await client.api<Problem>("PUT", preferences, {
      token: buyer.token,
      body: { email: false },
    });
    expect([partial.status, partial.body.code]).toEqual([422, "VALIDATION_FAILED"]);
    expect(
      (await client.api<Problem>("PUT", preferences, { body: { email: false, sms: true, webhook: true } }))
        .status,
    ).toBe(401);
    const chosen = { email: false, sms: true, webhook: false };
    expect((await client.api("PUT", preferences, { token: buyer.token, body: chosen })).body).toEqual(chosen);
    expect((await client.api("GET", preferences, { token: buyer.token })).body).toEqual(chosen);

    const sku = await product(5, 1200);
    const placed = await client.api<{ id: string }>("POST", "/orders", {
      token: buyer.token,
      body: { items: [{ sku, quantity: 1 }] },
    });
    expect(placed.status).toBe(201);
    const shortId = placed.body.id.slice(-8);
    const confirmation = await eventually("the confirmation text message", async () =>
      (await platform.textMessages(phone)).find((m) => m.body.startsWith(`Order ${shortId} confirmed`)),
    );
    expect(confirmation.body).toBe(`Order ${shortId} confirmed: 1 item, total €12.00.`);
    const notifications = await eventually("the notifications sent", async () => {
      const list = await client.api("GET", `/notifications?orderId=${placed.body.id}`, {
        token: buyer.token,
      });
      const items = list.body.items ?? [];
      return items.length === 3 && items.every((n) => n.status === "sent") ? items : undefined;
    });
    expect(notifications.map((n) => n.channel).sort()).toEqual(["log", "sms", "websocket"]);
    const sms = notifications.find((n) => n.channel === "sms");
    expect(sms).toMatchObject({ recipient: phone, attempts: 1 });
    expect(confirmation.reference).toBe(sms?.id as string);

    // The order's later events follow the preferences it was placed with.
    await client.api("POST", `/orders/${placed.body.id}/cancel`, { token: buyer.token });
    await eventually("the cancellation text message", async () =>
      (await platform.textMessages(phone)).some((m) => m.body === `Order ${shortId} was cancelled.`),
    );
    const texts = await platform.textMessages(phone);
    expect(texts.map((m) => [m.body, m.posts])).toEqual([
      [`Order ${shortId} was cancelled.`, 1],
      [`Order ${shortId} confirmed: 1 item, total €12.00.`, 1],
    ]);
    expect(platform.smtp.messages.some((m) => m.text?.includes(placed.body.id))).toBe(false);
  });

  test("a hot SKU under concurrent orders from several users: exactly the stock is sold, never more", async () => {
    const buyers = await Promise.all(Array.from({ length: 6 }, () => client.customer()));
    const sku = await product(25);
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        client.api("POST", "/orders", {
          token: buyers[i % buyers.length]?.token,
          body: { items: [{ sku, quantity: 1 }] },
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(25);
    expect(statuses.filter((s) => s === 409)).toHaveLength(35);
    expect(await client.available(sku)).toBe(0);
  });

  test("a retried POST /orders with one Idempotency-Key creates one order", async () => {
    const buyer = await client.customer();
    const sku = await product(5);
    const send = () =>
      client.api<{ id: string }>("POST", "/orders", {
        token: buyer.token,
        body: { items: [{ sku, quantity: 1 }] },
        headers: { "idempotency-key": "e2e-key-1" },
      });
    const [first, second] = [await send(), await send()];
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body.id).toBe(first.body.id);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(await client.available(sku)).toBe(4);
    const mine = await client.api("GET", "/orders", { token: buyer.token });
    expect(mine.body.items).toHaveLength(1);
  });

  test("the error contract: 401, 403, 404, 409, 413, 422, 429 as problems with their codes", async () => {
    const buyer = await client.customer();
    const other = await client.customer();
    const sku = await product(1);
    const order = await client.api<{ id: string }>("POST", "/orders", {
      token: other.token,
      body: { items: [{ sku, quantity: 1 }] },
    });
    const cases: Array<
      [string, Promise<{ status: number; body: Problem; headers: Headers }>, number, string]
    > = [
      ["no token", client.api("GET", "/orders"), 401, "UNAUTHENTICATED"],
      [
        "a user creating a product",
        client.api("POST", "/products", {
          token: buyer.token,
          body: { sku: "NOPE-1", name: "x", priceCents: 1, initialStock: 1 },
        }),
        403,
        "FORBIDDEN",
      ],
      [
        "someone else's order",
        client.api("GET", `/orders/${order.body.id}`, { token: buyer.token }),
        404,
        "NOT_FOUND",
      ],
      [
        "sold out",
        client.api("POST", "/orders", { token: buyer.token, body: { items: [{ sku, quantity: 1 }] } }),
        409,
        "INSUFFICIENT_STOCK",
      ],
      [
        "a 2 MB body",
        client.api("POST", "/orders", {
          token: buyer.token,
          body: JSON.stringify({ items: [], pad: "x".repeat(2 * 1024 * 1024) }),
        }),
        413,
        "PAYLOAD_TOO_LARGE",
      ],
      [
        "quantity 0",
        client.api("POST", "/orders", { token: buyer.token, body: { items: [{ sku, quantity: 0 }] } }),
        422,
        "VALIDATION_FAILED",
      ],
      [
        "an internal route",
        client.api("GET", `/internal/users/${buyer.id}`, { token: buyer.token }),
        404,
        "NOT_FOUND",
      ],
    ];
    for (const [what, call, status, code] of cases) {
      const res = await call;
      expect([what, res.status, res.body.code]).toEqual([what, status, code]);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.body.requestId).toBe(res.headers.get("x-request-id") ?? "");
    }
    // A burst beyond the per-user bucket (150 here) is limited.
    const burst = await Promise.all(
      Array.from({ length: 170 }, () => client.api("GET", "/users/me", { token: buyer.token })),
    );
    const limited = burst.find((r) => r.status === 429);
    expect(limited?.body.code).toBe("RATE_LIMITED");
    expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });

  test("an archived product is gone from the catalog and cannot be ordered; orders of it keep their snapshot", async () => {
    const buyer = await client.customer();
    const sku = await product(10, 1234);
    const before = await client.api<{ id: string }>("POST", "/orders", {
      token: buyer.token,
      body: { items: [{ sku, quantity: 1 }] },
    });
    expect(before.status).toBe(201);
    expect((await client.api("DELETE", `/products/${sku}`, { token: adminToken })).status).toBe(204);
    expect((await client.api<Problem>("GET", `/products/${sku}`)).status).toBe(404);
    const refused = await client.api<Problem>("POST", "/orders", {
      token: buyer.token,
      body: { items: [{ sku, quantity: 1 }] },
    });
    expect([refused.status, refused.body.code]).toEqual([422, "UNKNOWN_SKU"]);
    const kept = await client.api<{ items: Array<Record<string, unknown>>; status: string }>(
      "GET",
      `/orders/${before.body.id}`,
      {
        token: buyer.token,
      },
    );
    expect(kept.body.items).toEqual([
      { sku, name: `Thing ${sku}`, unitPriceCents: 1234, quantity: 1, subtotalCents: 1234 },
    ]);
    // The order can still be cancelled: its stock goes back to the archived product's counters.
    expect(
      (await client.api("POST", `/orders/${before.body.id}/cancel`, { token: buyer.token })).status,
    ).toBe(200);
  });

  test("sort and cursor walk 250 products of a category without a duplicate or a gap, under every sort", async () => {
    // A catalog manager of its own (an admin promoted by the admin), so that 250 creations spend
    // their own rate-limit bucket and leave the admin's to the other tests.
    const manager = await client.customer();
    const promoted = await client.api("PATCH", `/users/${manager.id}`, {
      token: adminToken,
      body: { role: "admin" },
    });
    expect(promoted.body).toMatchObject({ role: "admin" });
    const managerToken = await client.login(manager.email, "buyer-password-1");
    const category = uniqueName("walk");
    const made: Array<{ sku: string; name: string; priceCents: number }> = [];
    for (let i = 0; i < 250; i++) {
      // Few distinct names and prices: ties everywhere, which the SKU breaks.
      const entry = {
        sku: `${category.toUpperCase().replaceAll("_", "-")}-${String(i).padStart(3, "0")}`,
        name: `Item ${i % 7}`,
        priceCents: 100 * (i % 11),
      };
      // As any client would: past the bucket, wait as long as Retry-After says and go on.
      for (;;) {
        const res = await client.api("POST", "/products", {
          token: managerToken,
          body: { ...entry, category, initialStock: 1 },
        });
        if (res.status === 201) break;
        expect(res.status).toBe(429);
        await Bun.sleep(Number(res.headers.get("retry-after")) * 1000);
      }
      made.push(entry);
    }
    type Listed = { sku: string; name: string; priceCents: number };
    const walk = async (sort: string) => {
      const seen: Listed[] = [];
      let cursor: string | null = null;
      do {
        const page: { status: number; body: { items: Listed[]; nextCursor: string | null } } =
          await client.api(
            "GET",
            `/products?category=${category}&sort=${sort}&limit=17${cursor ? `&cursor=${cursor}` : ""}`,
          );
        expect(page.status).toBe(200);
        seen.push(...page.body.items);
        cursor = page.body.nextCursor;
      } while (cursor);
      return seen;
    };
    const bySku = (a: Listed, b: Listed) => (a.sku < b.sku ? -1 : 1);
    const expected: Record<string, (a: Listed, b: Listed) => number> = {
      sku: bySku,
      priceCents: (a, b) => a.priceCents - b.priceCents || bySku(a, b),
      "-priceCents": (a, b) => b.priceCents - a.priceCents || bySku(a, b),
    };
    for (const sort of ["sku", "name", "-name", "priceCents", "-priceCents", "-createdAt"]) {
      const seen = await walk(sort);
      expect({ sort, count: seen.length, distinct: new Set(seen.map((p) => p.sku)).size }).toEqual({
        sort,
        count: 250,
        distinct: 250,
      });
      const order = expected[sort];
      if (order) expect(seen.map((p) => p.sku)).toEqual([...made].sort(order).map((p) => p.sku));
      // Created one after another: newest first is the reverse of the making.
      if (sort === "-createdAt")
        expect(seen.map((p) => p.sku)).toEqual([...made].reverse().map((p) => p.sku));
      if (sort === "name" || sort === "-name") {
        // Names in order (the database's collation decides), ties by SKU.
        for (let i = 1; i < seen.length; i++) {
          const [a, b] = [seen[i - 1], seen[i]] as [Listed, Listed];
          if (a.name === b.name) expect(a.sku < b.sku).toBe(true);
          else expect(a.name.localeCompare(b.name) * (sort === "name" ? 1 : -1)).toBeLessThan(0);
        }
      }
    }
  });

  test("the typed client, generated from the gateway's document, speaks to the platform", async () => {
    const anonymous = createApiClient(platform.gateway);
    const email = `${uniqueName("typed")}@example.com`;
    const registered = await anonymous.POST("/api/users", {
      body: { email, name: "Typed Buyer", password: "typed-password-1" },
    });
    expect(registered.response.status).toBe(201);
    const session = await anonymous.POST("/api/auth/login", {
      body: { email, password: "typed-password-1" },
    });
    const token = session.data?.accessToken ?? "";
    const api = createApiClient(platform.gateway, { token });
    const sku = await product(5, 700);
    const placed = await api.POST("/api/orders", { body: { items: [{ sku, quantity: 2 }] } });
    expect(placed.response.status).toBe(201);
    expect(placed.data).toMatchObject({ status: "CONFIRMED", totalCents: 1400, userId: registered.data?.id });
    const read = await api.GET("/api/orders/{id}", { params: { path: { id: placed.data?.id ?? "" } } });
    expect(read.data?.items).toEqual([
      { sku, name: `Thing ${sku}`, unitPriceCents: 700, quantity: 2, subtotalCents: 1400 },
    ]);
    const refused = await api.POST("/api/orders", { body: { items: [{ sku, quantity: 99 }] } });
    expect([refused.response.status, refused.error?.code]).toEqual([409, "INSUFFICIENT_STOCK"]);
  });

  test("the committed typed client is what the gateway's document generates today", async () => {
    const document = await (await fetch(`${platform.gateway}/docs/openapi.json`)).json();
    const committed = await Bun.file(GENERATED_FILE).text();
    // If this fails, a route changed: run `bun scripts/api-client.ts` and commit the result.
    expect(await generateTypes(document)).toBe(committed);
  });

  test("after all of the above, the stock in Redis agrees with the reservations and the orders", async () => {
    const { code, output } = await platform.reconcile();
    expect(output).toMatch(/reconcile: \d+ reservation\(s\), \d+ SKU\(s\), 0 drift\(s\)/);
    expect(code).toBe(0);
  });

  test("every metric the dashboards and alert rules name is on the /metrics of each service observability/metrics.txt says", async () => {
    const listed = (
      await Bun.file(join(import.meta.dir, "..", "..", "..", "..", "observability", "metrics.txt")).text()
    )
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split(" ") as [string, string]);
    expect(listed.length).toBeGreaterThan(0);
    const exported: Record<string, Set<string>> = {};
    for (const [service, url] of Object.entries(platform.metricsUrls)) {
      const text = await (await fetch(url)).text();
      // A metric with no sample yet (a labelled counter before its first use) still has its TYPE line.
      exported[service] = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1] as string));
    }
    const missing = listed.flatMap(([metric, services]) =>
      services
        .split(",")
        .filter((service) => !exported[service]?.has(metric))
        .map((service) => `${metric} on ${service}`),
    );
    expect(missing).toEqual([]);
  });

  test("one request id reaches every service's log lines", async () => {
    const buyer = await client.customer();
    const sku = await product(3);
    const requestId = `e2e-trace-${Bun.randomUUIDv7()}`;
    const placed = await client.api<{ id: string }>("POST", "/orders", {
      token: buyer.token,
      body: { items: [{ sku, quantity: 1 }] },
      headers: { "x-request-id": requestId },
    });
    expect(placed.status).toBe(201);
    await eventually("the event consumed by activity", async () => {
      const trail = await client.api("GET", `/activity?orderId=${placed.body.id}`, { token: buyer.token });
      return trail.body.items?.some((e) => e.requestId === requestId);
    });
    await eventually("the notification sent", () =>
      platform.smtp.messages.some((m) => m.text?.includes(placed.body.id)),
    );
    const logs = await platform.stop();
    for (const service of ["gateway", "order", "user", "inventory", "activity", "notification"]) {
      const lines = logs[service] ?? [];
      expect([service, lines.some((line) => line.requestId === requestId)]).toEqual([service, true]);
    }
  });
});
