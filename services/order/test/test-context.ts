/**
 * The order service in process, against the real user and inventory services started as processes
 * (each on its own schema, Redis prefix and ports) on real Postgres and Redis. Tests reach the
 * other services only through their public APIs, as the order service does.
 */
import { join } from "node:path";
import { createTokenVerifier } from "@platform/auth";
import { loadConfig } from "@platform/config";
import { createDatabase, migrateToLatest } from "@platform/db";
import { createLogger } from "@platform/logging";
import {
  freePort,
  httpClient,
  type ServiceProcess,
  sampleOf,
  startServiceProcess,
  testInfra,
  uniqueName,
} from "@platform/testing";
import { Redis } from "ioredis";
import { type Kysely, sql } from "kysely";
import { type OrderConfig, orderConfigSchema } from "../src/config.js";
import { createOrderRuntime } from "../src/runtime.js";
import { migrations } from "../src/store/migrations/index.js";
import type { OrderDatabase } from "../src/store/order.table.js";

const services = join(import.meta.dir, "..", "..");
const ADMIN = { email: "admin@example.com", password: "admin-password-1" };

export interface OrderTestOptions {
  /** Redis for the inventory service (a fault test gives it one it can stop). */
  inventoryRedisUrl?: string;
  orderConfig?: Record<string, string>;
  /** More environment for the inventory process. */
  inventoryConfig?: Record<string, string>;
}

export async function createOrderTestContext(options: OrderTestOptions = {}) {
  const infra = await testInfra();
  const schemas = {
    user: uniqueName("t_ord_users"),
    inventory: uniqueName("t_ord_inv"),
    order: uniqueName("t_orders"),
  };
  const started: ServiceProcess[] = [];
  const user = await startServiceProcess(join(services, "user", "src", "main.ts"), {
    POSTGRES_URL: infra.postgresUrl,
    POSTGRES_SCHEMA: schemas.user,
    REDIS_URL: infra.redisUrl,
    REDIS_KEY_PREFIX: `${uniqueName("t_ord_user")}:`,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: "warn",
  });
  started.push(user);
  const grpcPort = await freePort();
  const inventory = await startServiceProcess(join(services, "inventory", "src", "main.ts"), {
    POSTGRES_URL: infra.postgresUrl,
    POSTGRES_SCHEMA: schemas.inventory,
    REDIS_URL: options.inventoryRedisUrl ?? infra.redisUrl,
    REDIS_KEY_PREFIX: `${uniqueName("t_ord_inv")}:`,
    EVENTS_STREAM: uniqueName("events:inventory"),
    GRPC_PORT: String(grpcPort),
    JWKS_URL: `${user.baseUrl}/.well-known/jwks.json`,
    // Debug: a test follows one request id through the inventory's per-call lines.
    LOG_LEVEL: "debug",
    ...options.inventoryConfig,
  });
  started.push(inventory);

  const config: OrderConfig = loadConfig(orderConfigSchema, {
    POSTGRES_URL: infra.postgresUrl,
    POSTGRES_SCHEMA: schemas.order,
    REDIS_URL: infra.redisUrl,
    EVENTS_STREAM: uniqueName("events:orders"),
    PAYMENTS_STREAM: uniqueName("events:payments"),
    USER_SERVICE_URL: user.baseUrl,
    JWKS_URL: `${user.baseUrl}/.well-known/jwks.json`,
    INVENTORY_GRPC_ADDRESS: `127.0.0.1:${grpcPort}`,
    OUTBOX_POLL_MS: "100",
    TASK_INTERVAL_MS: "100",
    LOG_LEVEL: "silent",
    ...options.orderConfig,
  });
  const logger = createLogger({ service: "order", level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const db = createDatabase<OrderDatabase>({ url: infra.postgresUrl, schema: schemas.order, poolMax: 10 });
  await migrateToLatest(db as Kysely<unknown>, schemas.order, migrations);
  const redis = new Redis(infra.redisUrl);
  const verifier = createTokenVerifier({
    keys: { jwksUrl: config.JWKS_URL },
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });
  const deps = createOrderRuntime(config, { db, redis, verifier, logger });
  const { app } = deps;
  await deps.start();

  /** A request to the order service (in process). */
  const call = httpClient(app, "http://order.test");
  const userApi = httpClient(user.baseUrl);
  const inventoryApi = httpClient(inventory.baseUrl);

  async function login(email: string, password: string): Promise<string> {
    const res = await userApi<{ accessToken: string }>("POST", "/auth/login", {
      body: { email, password },
    });
    if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
    return res.body.accessToken;
  }

  const adminToken = await login(ADMIN.email, ADMIN.password);

  /**
   * A new customer: registered and logged in through the user service; with a phone and channel
   * preferences when given (set before they order, so the order carries them).
   */
  async function customer(
    profile: {
      phone?: string;
      notificationPreferences?: { email: boolean; sms: boolean; webhook: boolean };
    } = {},
  ) {
    const email = `${uniqueName("buyer")}@example.com`;
    const res = await userApi<{ id: string }>("POST", "/users", {
      body: { email, name: "Buyer", password: "buyer-password" },
    });
    if (res.status !== 201) throw new Error(`registration failed: ${res.status}`);
    const token = await login(email, "buyer-password");
    if (profile.phone) await userApi("PATCH", "/users/me", { token, body: { phone: profile.phone } });
    if (profile.notificationPreferences)
      await userApi("PUT", "/users/me/notification-preferences", {
        token,
        body: profile.notificationPreferences,
      });
    return { id: res.body.id, email, token };
  }

  /** A product with stock, created through the inventory API as the admin. */
  async function product(initialStock: number, priceCents = 1000, name = "Thing"): Promise<string> {
    const sku = uniqueName("P").toUpperCase().replaceAll("_", "-");
    const res = await inventoryApi("POST", "/products", {
      token: adminToken,
      body: { sku, name, priceCents, initialStock, lowStockThreshold: 0 },
    });
    if (res.status !== 201) throw new Error(`product failed: ${res.status} ${JSON.stringify(res.body)}`);
    return sku;
  }

  async function available(sku: string): Promise<number> {
    const res = await inventoryApi<{ available: number }>("GET", `/products/${sku}`);
    return res.body.available;
  }

  /** GET /metrics of the order service (in process) or of the inventory process now, read with sampleOf. */
  async function metrics(service: "order" | "inventory" = "order") {
    const res =
      service === "order"
        ? await app.handle(new Request("http://order.test/metrics"))
        : await fetch(`${inventory.baseUrl}/metrics`);
    const text = await res.text();
    return (name: string, labels?: Record<string, string>) => sampleOf(text, name, labels);
  }

  let closed:
    | Promise<{ userLogs: Array<Record<string, unknown>>; inventoryLogs: Array<Record<string, unknown>> }>
    | undefined;
  /** Stops everything (once) and answers the log lines the user and inventory processes wrote. */
  const close = () => {
    closed ??= shutdown();
    return closed;
  };

  async function shutdown() {
    await deps.stop();
    const logs = await Promise.all(started.map((service) => service.stop()));
    await sql`drop schema if exists ${sql.id(schemas.order)} cascade`.execute(db);
    for (const schema of [schemas.user, schemas.inventory]) {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
    }
    await db.destroy();
    redis.disconnect();
    return { userLogs: logs[0]?.lines ?? [], inventoryLogs: logs[1]?.lines ?? [] };
  }

  return {
    config,
    db,
    redis,
    deps,
    app,
    user,
    inventory,
    adminToken,
    call,
    customer,
    /** The user service's API (a customer changing their profile). */
    userApi,
    product,
    available,
    metrics,
    close,
  };
}

export type OrderTestContext = Awaited<ReturnType<typeof createOrderTestContext>>;
