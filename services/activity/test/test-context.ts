/**
 * The activity service in process on real Redis and the MongoDB wire server: its own database and
 * streams per test file, its consumer group running as in production (short reclaim times).
 */
import { createTokenVerifier } from "@platform/auth";
import { loadConfig } from "@platform/config";
import { ConsumerMetrics } from "@platform/events";
import { createMetrics } from "@platform/http";
import { createLogger } from "@platform/logging";
import { testInfra, testTokens, uniqueName } from "@platform/testing";
import { Redis } from "ioredis";
import { MongoClient } from "mongodb";
import { createApp } from "../src/app.js";
import { type ActivityConfig, activityConfigSchema } from "../src/config.js";
import { activityConsumer } from "../src/events/activity-consumer.js";
import { activityCollection, ensureIndexes } from "../src/store/activity.store.js";

export async function createActivityTestContext() {
  const infra = await testInfra();
  const config: ActivityConfig = loadConfig(activityConfigSchema, {
    MONGO_URL: infra.mongoUrl,
    MONGO_DB: uniqueName("t_activity"),
    REDIS_URL: infra.redisUrl,
    ORDERS_STREAM: uniqueName("events:orders"),
    INVENTORY_STREAM: uniqueName("events:inventory"),
    MAX_DELIVERIES: "3",
    CLAIM_IDLE_MS: "300",
    CONSUMER_BLOCK_MS: "100",
  });
  const logger = createLogger({ service: "activity", level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const client = new MongoClient(config.MONGO_URL, { serverSelectionTimeoutMS: 5_000 });
  await client.connect();
  const mongo = client.db(config.MONGO_DB);
  const entries = activityCollection(mongo);
  await ensureIndexes(entries);
  const redis = new Redis(config.REDIS_URL);
  const metrics = createMetrics("activity");
  const tokens = await testTokens(config.JWT_ISSUER, config.JWT_AUDIENCE);
  const verifier = createTokenVerifier({
    keys: { jwks: tokens.jwks },
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });
  const consumerMetrics = new ConsumerMetrics(metrics.registry);
  const newConsumer = (name?: string) =>
    activityConsumer({
      redis,
      entries,
      streams: [config.ORDERS_STREAM, config.INVENTORY_STREAM],
      group: config.CONSUMER_GROUP,
      maxDeliveries: config.MAX_DELIVERIES,
      claimIdleMs: config.CLAIM_IDLE_MS,
      blockMs: config.CONSUMER_BLOCK_MS,
      logger,
      metrics: consumerMetrics,
      consumer: name,
    });
  const consumers = [newConsumer("activity-1")];
  const app = createApp({ mongo, entries, redis, verifier, logger, metrics });

  async function call<T = Record<string, unknown>>(
    method: string,
    path: string,
    { body, token }: { body?: unknown; token?: string } = {},
  ) {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    if (token) headers.authorization = `Bearer ${token}`;
    const init: RequestInit = { method, headers };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await app.handle(new Request(`http://activity.test${path}`, init));
    return { status: response.status, body: (await response.json()) as T };
  }

  async function close() {
    await Promise.all(consumers.map((c) => c.stop()));
    await mongo.dropDatabase();
    await client.close();
    redis.disconnect();
  }

  return { config, entries, redis, tokens, consumers, newConsumer, app, metrics, call, close };
}

export type ActivityTestContext = Awaited<ReturnType<typeof createActivityTestContext>>;
