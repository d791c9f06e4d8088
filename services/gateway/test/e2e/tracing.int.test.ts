/**
 * Tracing end to end (ARCHITECTURE §10): every service of a platform of its own exports OTLP (JSON)
 * to a real receiver here; one POST /api/orders through the gateway must come out as one trace
 * holding the gateway, order, user and inventory spans (HTTP and gRPC), the relay, both consumer
 * groups and the deliveries, and the stock.low the reservation raised — each span's parent in the
 * same trace.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { eventually, OtlpReceiver, type ReceivedSpan, uniqueName } from "@platform/testing";
import { ADMIN, startPlatform } from "./platform.js";

setDefaultTimeout(60_000);

const receiver = new OtlpReceiver();
let platform: Awaited<ReturnType<typeof startPlatform>>;

beforeAll(async () => {
  receiver.start();
  platform = await startPlatform({
    all: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_BSP_SCHEDULE_DELAY: "100",
    },
  });
}, 120_000);
afterAll(async () => {
  await platform.stop();
  receiver.stop();
});

async function call<T = Record<string, unknown>>(
  method: string,
  path: string,
  token?: string,
  body?: unknown,
) {
  const response = await fetch(`${platform.gateway}/api${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as T };
}

const login = async (email: string, password: string) =>
  (await call<{ accessToken: string }>("POST", "/auth/login", undefined, { email, password })).body
    .accessToken;

describe("tracing", () => {
  test("one order through the gateway is one trace: gateway, order, user, inventory, relay, both consumers, the deliveries", async () => {
    const admin = await login(ADMIN.email, ADMIN.password);
    const sku = uniqueName("TRACE").toUpperCase().replaceAll("_", "-");
    expect(
      // At its threshold after this order: the reservation also raises stock.low (queued by Lua).
      (
        await call("POST", "/products", admin, {
          sku,
          name: "Traced",
          priceCents: 500,
          initialStock: 5,
          lowStockThreshold: 4,
        })
      ).status,
    ).toBe(201);
    const email = `${uniqueName("traced")}@example.com`;
    await call("POST", "/users", undefined, { email, name: "Traced Buyer", password: "traced-password-1" });
    const token = await login(email, "traced-password-1");

    // The client starts the trace, as a traced browser or service would.
    const traceId = crypto.randomUUID().replaceAll("-", "");
    const response = await fetch(`${platform.gateway}/api/orders`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        traceparent: `00-${traceId}-${"1".repeat(16)}-01`,
      },
      body: JSON.stringify({ items: [{ sku, quantity: 1 }] }),
    });
    expect(response.status).toBe(201);

    const has = (spans: ReceivedSpan[], service: string, name: string | RegExp) =>
      spans.some(
        (s) => s.service === service && (typeof name === "string" ? s.name === name : name.test(s.name)),
      );
    const expected: Array<[string, string | RegExp]> = [
      ["gateway", "POST /api/orders"],
      ["gateway", "forward to order"],
      ["order", "POST /orders"],
      ["order", "validate user"],
      ["user", "GET /internal/users/:id"],
      ["order", "grpc /inventory.v1.InventoryService/Reserve"],
      ["inventory", "grpc /inventory.v1.InventoryService/Reserve"],
      ["inventory", /^redis evalsha$/],
      ["order", /^postgres /],
      ["order", "relay order.created"],
      ["activity", "activity order.created"],
      ["notification", "notification order.created"],
      ["notification", "deliver email"],
      ["notification", "deliver log"],
      ["notification", "deliver websocket"],
      ["activity", "activity stock.low"],
      ["notification", "notification stock.low"],
    ];
    const spans = await eventually(
      "every part of the order's trace",
      () => {
        const found = receiver.trace(traceId);
        return expected.every(([service, name]) => has(found, service, name)) ? found : undefined;
      },
      { timeoutMs: 20_000 },
    );
    // One tree: every span but the client's root has its parent among them.
    const ids = new Set(spans.map((s) => s.spanId));
    const orphans = spans.filter((s) => s.parentSpanId !== "1".repeat(16) && !ids.has(s.parentSpanId ?? ""));
    expect(orphans).toEqual([]);
    expect(new Set(spans.map((s) => s.service))).toEqual(
      new Set(["gateway", "order", "user", "inventory", "activity", "notification"]),
    );
  });
});
