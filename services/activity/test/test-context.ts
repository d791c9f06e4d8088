/**
 * The activity service in process on real Redis and the MongoDB wire server: its own database and
 * streams per test file, its consumer group running as in production (short reclaim times).
 */
import { createTokenVerifier } from "@platform/auth";
import { loadConfig } from "@platform/config";
import { createLogger } from "@platform/logging";
import { httpClient, testInfra, testTokens, uniqueName } from "@platform/testing";
import { Redis } from "ioredis";
import { MongoClient } from "mongodb";
import { type ActivityConfig, activityConfigSchema } from "../src/config.js";
import { createActivityRuntime } from "../src/runtime.js";
import { activityCollection, ensureIndexes } from "../src/store/activity.store.js";

export async function createActivityTestContext() {
  const infra = await testInfra();
  const config: ActivityConfig = loadConfig(activityConfigSchema, {
    MONGO_URL: infra.mongoUrl,
    MONGO_DB: uniqueName("t_activity"),
    REDIS_URL: infra.redisUrl,
    ORDERS_STREAM: uniqueName("events:orders"),
    INVENTORY_STREAM: uniqueName("events:inventory"),
    PAYMENTS_STREAM: uniqueName("events:payments"),
    MAX_DELIVERIES: "3",
    CLAIM_IDLE_MS: "300",
    CONSUMER_BLOCK_MS: "100",
  });
  const logger = createLogger({ service: "activity", level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const client = new MongoClient(config.MONGO_URL, { serverSelectionTimeoutMS: 5_000 });
  await client.connect();
  const mongo = client.db(config.MONGO_DB);
  await ensureIndexes(activityCollection(mongo));
  const redis = new Redis(config.REDIS_URL);
  const tokens = await testTokens(config.JWT_ISSUER, config.JWT_AUDIENCE);
  const verifier = createTokenVerifier({
    keys: { jwks: tokens.jwks },
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });
  const runtime = createActivityRuntime(config, { mongo, redis, verifier, logger });
  const { entries, newConsumer, app, metrics } = runtime;
  // The runtime's own consumer, started by the tests that need it; more join with newConsumer().
  const consumers = [runtime.consumer];
  const call = httpClient(app, "http://activity.test");

  async function close() {
    await Promise.all(consumers.map((c) => c.stop()));
    await mongo.dropDatabase();
    await client.close();
    redis.disconnect();
  }

  return { config, entries, redis, tokens, consumers, newConsumer, app, metrics, call, close };
}

export type ActivityTestContext = Awaited<ReturnType<typeof createActivityTestContext>>;
