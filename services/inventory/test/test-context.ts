/**
 * One inventory service per test file, in process, on real Postgres and Redis: its own schema,
 * Redis key prefix and event stream; the REST app driven through app.handle, the gRPC service
 * through a real server on 127.0.0.1:0 and a real nice-grpc client.
 */
import { createTokenVerifier } from "@platform/auth";
import { loadConfig } from "@platform/config";
import { createDatabase, migrateToLatest } from "@platform/db";
import { createLogger } from "@platform/logging";
import { createInventoryClient } from "@platform/proto";
import { httpClient, sampleOf, testInfra, testTokens, uniqueName } from "@platform/testing";
import { Redis } from "ioredis";
import { type Kysely, sql } from "kysely";
import { type InventoryConfig, inventoryConfigSchema } from "../src/config.js";
import { createInventoryRuntime } from "../src/runtime.js";
import { migrations } from "../src/store/migrations/index.js";
import type { InventoryDatabase } from "../src/store/product.table.js";

export async function createInventoryTestContext(overrides: Record<string, string> = {}) {
  const { postgresUrl, redisUrl } = await testInfra();
  const schema = uniqueName("t_inventory");
  const config: InventoryConfig = loadConfig(inventoryConfigSchema, {
    POSTGRES_URL: postgresUrl,
    POSTGRES_SCHEMA: schema,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `${uniqueName("t_inv")}:`,
    EVENTS_STREAM: uniqueName("events:inventory"),
    LOG_LEVEL: "silent",
    ...overrides,
  });
  const logger = createLogger({ service: "inventory", level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const db = createDatabase<InventoryDatabase>({ url: postgresUrl, schema, poolMax: 5 });
  await migrateToLatest(db as Kysely<unknown>, schema, migrations);
  const redis = new Redis(redisUrl);
  const tokens = await testTokens(config.JWT_ISSUER, config.JWT_AUDIENCE);
  const verifier = createTokenVerifier({
    keys: { jwks: tokens.jwks },
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });
  // Fast relay and sweeper intervals; each test starts them when it needs them.
  const {
    app,
    keys,
    stock,
    stockEvents,
    catalogEvents,
    sweeper,
    catalogResync,
    grpc: grpcServer,
  } = createInventoryRuntime(
    { ...config, OUTBOX_POLL_MS: 50, SWEEP_INTERVAL_MS: 50 },
    { db, redis, verifier, logger },
  );
  const grpcPort = await grpcServer.listen("127.0.0.1:0");
  // No retries: the tests assert what one call does.
  const inventoryClient = createInventoryClient({
    address: `127.0.0.1:${grpcPort}`,
    retries: 0,
    deadlineMs: 10_000,
  });
  const grpc = inventoryClient.client;
  const adminToken = await tokens.sign({ userId: "01900000-0000-7000-8000-00000000a000", role: "admin" });
  const userToken = await tokens.sign({ userId: "01900000-0000-7000-8000-00000000b000", role: "user" });

  const call = httpClient(app, "http://inventory.test");

  /** Creates a product through the API as an admin. */
  async function product(
    fields: {
      sku?: string;
      initialStock?: number;
      priceCents?: number;
      name?: string;
      lowStockThreshold?: number;
      category?: string;
    } = {},
  ) {
    const sku = fields.sku ?? uniqueName("SKU").toUpperCase().replaceAll("_", "-");
    const res = await call<{ sku: string }>("POST", "/products", {
      token: adminToken,
      body: {
        sku,
        name: fields.name ?? `Product ${sku}`,
        priceCents: fields.priceCents ?? 1999,
        initialStock: fields.initialStock ?? 10,
        lowStockThreshold: fields.lowStockThreshold ?? 2,
        ...(fields.category ? { category: fields.category } : {}),
      },
    });
    if (res.status !== 201)
      throw new Error(`product creation failed: ${res.status} ${JSON.stringify(res.body)}`);
    return sku;
  }

  /** GET /metrics now, read with sampleOf. */
  async function metrics() {
    const text = await (await app.handle(new Request("http://inventory.test/metrics"))).text();
    return (name: string, labels?: Record<string, string>) => sampleOf(text, name, labels);
  }

  async function close() {
    inventoryClient.close();
    await grpcServer.shutdown();
    await stockEvents.stop();
    await catalogEvents.stop();
    await sweeper.stop();
    catalogResync.stop();
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
    await db.destroy();
    redis.disconnect();
  }

  return {
    config,
    db,
    redis,
    keys,
    stock,
    stockEvents,
    catalogEvents,
    sweeper,
    catalogResync,
    tokens,
    app,
    grpc,
    grpcPort,
    adminToken,
    userToken,
    call,
    product,
    metrics,
    close,
  };
}

export type InventoryTestContext = Awaited<ReturnType<typeof createInventoryTestContext>>;
