/**
 * The whole platform for the end-to-end suite: every service as a real process on free ports, on
 * the local infrastructure, each with schemas, key prefixes, streams and a Mongo database of its
 * own, a real SMTP server, the development SMS sink (scripts/sms-sink.ts) as a process of its own,
 * and the gateway in front. Tests speak only to the gateway (and read what the sinks received).
 */
import { join } from "node:path";
import { createDatabase } from "@platform/db";
import {
  freePort,
  freePorts,
  type ServiceProcess,
  SmtpSink,
  startServiceProcess,
  testInfra,
  uniqueName,
} from "@platform/testing";
import { sql } from "kysely";
import { MongoClient } from "mongodb";

const services = join(import.meta.dir, "..", "..", "..");
const smsSink = join(services, "..", "scripts", "sms-sink.ts");
const main = (name: string) => join(services, name, "src", "main.ts");

export const ADMIN = { email: "admin@example.com", password: "e2e-admin-password" };

/**
 * Environment added to a service's (the security suite tightens the gateway's limits, the payments
 * suite names a provider to the order and payment services), or to every service's (`all`: the
 * tracing suite points them at its OTLP receiver).
 */
export type PlatformOverrides = Partial<
  Record<
    "gateway" | "user" | "order" | "payment" | "activity" | "notification" | "all",
    Record<string, string>
  >
>;

export async function startPlatform(overrides: PlatformOverrides = {}) {
  const infra = await testInfra();
  const id = uniqueName("e2e");
  const schemas = {
    user: `${id}_users`,
    inventory: `${id}_inventory`,
    order: `${id}_orders`,
    notification: `${id}_notifications`,
    payment: `${id}_payments`,
  };
  const streams = {
    orders: `${id}:events:orders`,
    inventory: `${id}:events:inventory`,
    payments: `${id}:events:payments`,
  };
  const mongoDb = `${id}_activity`;
  const smtp = new SmtpSink(await freePort());
  await smtp.start();
  // Debug: a test follows one request id through every service's lines (per-request lines are debug).
  const common = {
    POSTGRES_URL: infra.postgresUrl,
    REDIS_URL: infra.redisUrl,
    LOG_LEVEL: "debug",
    ...overrides.all,
  };
  const started: Record<string, ServiceProcess> = {};
  started.sms = await startServiceProcess(smsSink, {});

  started.user = await startServiceProcess(main("user"), {
    ...common,
    POSTGRES_SCHEMA: schemas.user,
    REDIS_KEY_PREFIX: `${id}:user:`,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    ...overrides.user,
  });
  const jwks = `${started.user.baseUrl}/.well-known/jwks.json`;
  const grpcPort = await freePort();
  started.inventory = await startServiceProcess(main("inventory"), {
    ...common,
    POSTGRES_SCHEMA: schemas.inventory,
    REDIS_KEY_PREFIX: `${id}:inventory:`,
    EVENTS_STREAM: streams.inventory,
    GRPC_PORT: String(grpcPort),
    JWKS_URL: jwks,
    OUTBOX_POLL_MS: "100",
  });
  started.order = await startServiceProcess(main("order"), {
    ...common,
    POSTGRES_SCHEMA: schemas.order,
    EVENTS_STREAM: streams.orders,
    PAYMENTS_STREAM: streams.payments,
    USER_SERVICE_URL: started.user.baseUrl,
    INVENTORY_GRPC_ADDRESS: `127.0.0.1:${grpcPort}`,
    JWKS_URL: jwks,
    OUTBOX_POLL_MS: "100",
    CONSUMER_BLOCK_MS: "200",
    ...overrides.order,
  });
  const consumerEnv = {
    ORDERS_STREAM: streams.orders,
    INVENTORY_STREAM: streams.inventory,
    PAYMENTS_STREAM: streams.payments,
    JWKS_URL: jwks,
    CONSUMER_BLOCK_MS: "200",
  };
  started.payment = await startServiceProcess(main("payment"), {
    ...common,
    POSTGRES_SCHEMA: schemas.payment,
    EVENTS_STREAM: streams.payments,
    ORDERS_STREAM: streams.orders,
    ORDER_SERVICE_URL: started.order.baseUrl,
    JWKS_URL: jwks,
    OUTBOX_POLL_MS: "100",
    CONSUMER_BLOCK_MS: "200",
    REFUND_RETRY_MS: "500",
    ...overrides.payment,
  });
  started.activity = await startServiceProcess(main("activity"), {
    ...common,
    ...consumerEnv,
    MONGO_URL: infra.mongoUrl,
    MONGO_DB: mongoDb,
    ...overrides.activity,
  });
  started.notification = await startServiceProcess(main("notification"), {
    ...common,
    ...consumerEnv,
    POSTGRES_SCHEMA: schemas.notification,
    SMTP_URL: smtp.url,
    SMS_URL: `${started.sms.baseUrl}/messages`,
    ADMIN_EMAILS: ADMIN.email,
    DELIVERY_INTERVAL_MS: "100",
    ...overrides.notification,
  });
  // Both chosen at once: two ports picked one by one can come back the same.
  const [gatewayPort, gatewayMetricsPort] = await freePorts(2);
  started.gateway = await startServiceProcess(main("gateway"), {
    PORT: String(gatewayPort),
    ...common,
    JWKS_URL: jwks,
    USER_URL: started.user.baseUrl,
    INVENTORY_URL: started.inventory.baseUrl,
    ORDER_URL: started.order.baseUrl,
    ACTIVITY_URL: started.activity.baseUrl,
    NOTIFICATION_URL: started.notification.baseUrl,
    PAYMENT_URL: started.payment.baseUrl,
    RATE_LIMIT_KEY_PREFIX: `${id}:gateway:`,
    RATE_LIMIT_USER_BURST: "150",
    RATE_LIMIT_USER_PER_MINUTE: "600",
    METRICS_PORT: String(gatewayMetricsPort),
    ...overrides.gateway,
  });

  let stopped: Promise<Record<string, Array<Record<string, unknown>>>> | undefined;
  /** Stops every process (once) and answers each one's log lines; drops the test data. */
  const stop = () => {
    stopped ??= (async () => {
      const logs: Record<string, Array<Record<string, unknown>>> = {};
      // The edge first, the consumers last, as a rolling stop would.
      for (const name of [
        "gateway",
        "payment",
        "order",
        "inventory",
        "user",
        "notification",
        "activity",
        "sms",
      ]) {
        logs[name] = (await started[name]?.stop())?.lines ?? [];
      }
      await smtp.stop();
      const db = createDatabase({ url: infra.postgresUrl, schema: "public", poolMax: 1 });
      for (const schema of Object.values(schemas))
        await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
      await db.destroy();
      const mongo = new MongoClient(infra.mongoUrl);
      await mongo.db(mongoDb).dropDatabase();
      await mongo.close();
      return logs;
    })();
    return stopped;
  };

  /** Runs the inventory's reconciliation (bun run reconcile) against this platform. */
  async function reconcile(): Promise<{ code: number; output: string }> {
    const child = Bun.spawn(["bun", join(services, "inventory", "src", "reconcile.ts")], {
      env: {
        ...process.env,
        REDIS_URL: infra.redisUrl,
        REDIS_KEY_PREFIX: `${id}:inventory:`,
        ORDER_SERVICE_URL: started.order?.baseUrl ?? "",
      },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [code, output, errors] = await Promise.all([
      child.exited,
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
    ]);
    return { code, output: output + errors };
  }

  /** The platform's services (the SMS sink is not one of them). */
  const serviceUrls = Object.fromEntries(
    Object.entries(started)
      .filter(([name]) => name !== "sms")
      .map(([name, process]) => [name, process.baseUrl]),
  );
  /** Where each of them serves its metrics: the gateway on a port of its own. */
  const metricsUrls = Object.fromEntries(
    Object.entries(serviceUrls).map(([name, url]) => [
      name,
      name === "gateway" ? `http://127.0.0.1:${gatewayMetricsPort}/metrics` : `${url}/metrics`,
    ]),
  );
  /** The text messages the SMS sink received for a number. */
  const textMessages = async (to: string) => {
    const res = await fetch(`${started.sms?.baseUrl}/messages?to=${encodeURIComponent(to)}`);
    return (
      (await res.json()) as {
        messages: Array<{ to: string; body: string; reference: string; posts: number }>;
      }
    ).messages;
  };
  return {
    gateway: started.gateway.baseUrl,
    serviceUrls,
    metricsUrls,
    smtp,
    textMessages,
    stop,
    reconcile,
    /** The platform's own streams and the Redis they are on (a test that writes a poison entry). */
    streams,
    redisUrl: infra.redisUrl,
  };
}
