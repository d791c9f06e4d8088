/**
 * The notification service in process on real Postgres and Redis, with a real SMTP server, a real
 * webhook receiver, a real HTTP SMS provider endpoint and its WebSocket endpoint on a real socket:
 * its own schema and streams.
 */
import { createTokenVerifier } from "@platform/auth";
import { loadConfig } from "@platform/config";
import { createDatabase, migrateToLatest } from "@platform/db";
import { type RunningService, serve } from "@platform/http";
import { createLogger } from "@platform/logging";
import { createRedis, waitForRedis } from "@platform/redis";
import { freePort, httpClient, SmtpSink, testInfra, testTokens, uniqueName } from "@platform/testing";
import { Redis } from "ioredis";
import { type Kysely, sql } from "kysely";
import { type NotificationConfig, notificationConfigSchema } from "../src/config.js";
import { createNotificationRuntime } from "../src/runtime.js";
import { migrations } from "../src/store/migrations/index.js";
import type { NotificationDatabase } from "../src/store/notification.table.js";

export interface ReceivedWebhook {
  body: string;
  signature: string | null;
}

export async function createNotificationTestContext(overrides: Record<string, string> = {}) {
  const infra = await testInfra();
  const smtp = new SmtpSink(await freePort());
  await smtp.start();
  const webhooks: ReceivedWebhook[] = [];
  /** How the webhook receiver behaves: a test can make it slow, for every body or for those holding a text. */
  const webhookReceiverSettings: {
    delayMs: number;
    slowFor?: { text: string; delayMs: number };
    /** Bodies holding the text are answered with the status (as a proxy whose receiver they crash). */
    failFor?: { text: string; status: number };
  } = {
    delayMs: 0,
  };
  const webhookReceiver = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const body = await request.text();
      const { delayMs, slowFor, failFor } = webhookReceiverSettings;
      if (failFor && body.includes(failFor.text))
        return new Response("bad gateway", { status: failFor.status });
      if (slowFor && body.includes(slowFor.text)) await Bun.sleep(slowFor.delayMs);
      else if (delayMs > 0) await Bun.sleep(delayMs);
      webhooks.push({ body, signature: request.headers.get("x-webhook-signature") });
      return new Response(null, { status: 204 });
    },
  });
  const texts: Array<{ to: string; body: string; reference: string }> = [];
  /** How the SMS provider answers: a test can make it fail. */
  const smsProviderSettings = { status: 201 };
  const smsProvider = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      if (smsProviderSettings.status >= 300)
        return new Response("provider trouble", { status: smsProviderSettings.status });
      texts.push((await request.json()) as { to: string; body: string; reference: string });
      return Response.json({ id: crypto.randomUUID() }, { status: smsProviderSettings.status });
    },
  });
  const schema = uniqueName("t_notifications");
  const config: NotificationConfig = loadConfig(notificationConfigSchema, {
    POSTGRES_URL: infra.postgresUrl,
    POSTGRES_SCHEMA: schema,
    REDIS_URL: infra.redisUrl,
    ORDERS_STREAM: uniqueName("events:orders"),
    INVENTORY_STREAM: uniqueName("events:inventory"),
    PAYMENTS_STREAM: uniqueName("events:payments"),
    SMTP_URL: smtp.url,
    SMTP_TIMEOUT_MS: "1000",
    WEBHOOK_URL: `http://127.0.0.1:${webhookReceiver.port}/hooks`,
    WEBHOOK_SECRET: "test-webhook-secret-0123456789",
    SMS_URL: `http://127.0.0.1:${smsProvider.port}/messages`,
    ADMIN_EMAILS: "ops@example.com,boss@example.com",
    MAX_DELIVERIES: "3",
    CLAIM_IDLE_MS: "300",
    CONSUMER_BLOCK_MS: "100",
    MAX_ATTEMPTS: "3",
    RETRY_BASE_MS: "100",
    DELIVERY_INTERVAL_MS: "50",
    ...overrides,
  });
  const logger = createLogger({ service: "notification", level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const db = createDatabase<NotificationDatabase>({ url: infra.postgresUrl, schema, poolMax: 6 });
  await migrateToLatest(db as Kysely<unknown>, schema, migrations);
  const redis = createRedis(infra.redisUrl, logger);
  const testRedis = new Redis(infra.redisUrl);
  await waitForRedis(redis, logger, 10_000);
  const tokens = await testTokens(config.JWT_ISSUER, config.JWT_AUDIENCE);
  const verifier = createTokenVerifier({
    keys: { jwks: tokens.jwks },
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });
  const runtime = createNotificationRuntime(config, { db, redis, verifier, logger });
  const { app } = runtime;
  // The runtime's own consumer, started with the hub and the worker (not the retention job: the
  // tests prune by hand); more join with runtime.newConsumer().
  const consumers = [runtime.consumer];
  await runtime.hub.start();
  await runtime.consumer.start();
  runtime.worker.start();
  const running: RunningService = serve(app, { port: 0, hostname: "127.0.0.1", logger });
  const api = httpClient(running.url);
  const call = <T = Record<string, unknown>>(method: string, path: string, token?: string) =>
    api<T>(method, path, { token });

  /** A WebSocket of this user, collecting what it is pushed. */
  async function socket(token: string) {
    const received: Array<Record<string, unknown>> = [];
    const ws = new WebSocket(`ws://127.0.0.1:${running.port}/ws?token=${encodeURIComponent(token)}`);
    await new Promise<void>((resolve, reject) => {
      ws.onmessage = (message) => {
        const data = JSON.parse(String(message.data)) as Record<string, unknown>;
        if (data.type === "welcome") resolve();
        else received.push(data);
      };
      ws.onerror = () => reject(new Error("the WebSocket did not open"));
    });
    return { ws, received };
  }

  async function close() {
    await running.shutdown("test over");
    await Promise.all(consumers.map((c) => c.stop()));
    await runtime.worker.stop();
    await runtime.hub.stop();
    runtime.email.close();
    await smtp.stop();
    webhookReceiver.stop(true);
    smsProvider.stop(true);
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
    await db.destroy();
    redis.disconnect();
    testRedis.disconnect();
  }

  return {
    config,
    db,
    redis: testRedis,
    smtp,
    webhooks,
    webhookReceiverSettings,
    texts,
    smsProviderSettings,
    tokens,
    verifier,
    runtime,
    consumers,
    app,
    running,
    call,
    socket,
    close,
  };
}

export type NotificationTestContext = Awaited<ReturnType<typeof createNotificationTestContext>>;
