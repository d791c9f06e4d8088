/**
 * The whole platform for the crash matrix: every service as a real process under the same
 * supervisor as `bun run start` (a killed one is started again), on Postgres, Redis and a MongoDB
 * server of the test's own (so they can be crashed and restarted without disturbing other tests),
 * with a real SMTP server. Payments are on, with the sandbox provider. Timings are shortened so
 * that recovery fits in a test: leases, claim idle times, the reservation TTL and the breaker's reset.
 */
import { join } from "node:path";
import { freePorts, OwnMongo, OwnPostgres, OwnRedis, SmtpSink } from "@platform/testing";
import { httpReady, Supervisor } from "../../../../scripts/lib/supervisor.js";

const root = join(import.meta.dir, "..", "..", "..", "..");
const main = (name: string) => join(root, "services", name, "src", "main.ts");

export const CRASH_ADMIN = { email: "admin@example.com", password: "crash-admin-password" };
/** Short enough for a test; the Commit of a placed order is still owed well within it. */
export const RESERVATION_TTL_SECONDS = 15;
export const SERVICES = [
  "user",
  "inventory",
  "order",
  "payment",
  "activity",
  "notification",
  "gateway",
] as const;
/**
 * Long enough for a client to pay through the faults (an order unpaid by then is cancelled), short
 * enough that a reservation left by a placement that failed half-way (held for the window and the
 * reservation TTL) expires while the test settles.
 */
export const PAYMENT_WINDOW_SECONDS = 30;
export type ServiceName = (typeof SERVICES)[number];

export async function startCrashPlatform() {
  // Every port chosen at once, so no two of the platform's servers are handed the same one.
  const names = [...SERVICES, "grpc", "gatewayMetrics"] as const;
  const [postgresPort, redisPort, mongoPort, smtpPort, ...chosen] = await freePorts(4 + names.length);
  const [postgres, redis, mongo] = await Promise.all([
    OwnPostgres.create(postgresPort),
    OwnRedis.create(redisPort),
    OwnMongo.create(mongoPort),
  ]);
  await Promise.all([postgres.start(), redis.start(), mongo.start()]);
  const smtp = new SmtpSink(smtpPort as number);
  await smtp.start();

  const ports = Object.fromEntries(names.map((name, i) => [name, chosen[i] as number])) as Record<
    ServiceName | "grpc" | "gatewayMetrics",
    number
  >;
  const url = (name: ServiceName) => `http://127.0.0.1:${ports[name]}`;
  const jwks = `${url("user")}/.well-known/jwks.json`;
  const common = {
    POSTGRES_URL: postgres.url,
    REDIS_URL: redis.url,
    LOG_LEVEL: "warn",
    JWKS_URL: jwks,
  };
  const consumers = { CONSUMER_BLOCK_MS: "200", CLAIM_IDLE_MS: "2000" };
  const payments = {
    PAYMENT_PROVIDER: "sandbox",
    PAYMENT_WEBHOOK_SECRET: `whsec_${crypto.getRandomValues(new Uint8Array(24)).toHex()}`,
  };
  const env: Record<ServiceName, Record<string, string>> = {
    user: { ...common, ADMIN_EMAIL: CRASH_ADMIN.email, ADMIN_PASSWORD: CRASH_ADMIN.password },
    inventory: {
      ...common,
      GRPC_PORT: String(ports.grpc),
      OUTBOX_POLL_MS: "100",
      SWEEP_INTERVAL_MS: "500",
      ORDER_SERVICE_URL: url("order"),
    },
    order: {
      ...common,
      USER_SERVICE_URL: url("user"),
      INVENTORY_GRPC_ADDRESS: `127.0.0.1:${ports.grpc}`,
      OUTBOX_POLL_MS: "100",
      TASK_INTERVAL_MS: "200",
      IDEMPOTENCY_LEASE_MS: "2000",
      IDEMPOTENCY_WAIT_MS: "3000",
      RESERVATION_TTL_SECONDS: String(RESERVATION_TTL_SECONDS),
      BREAKER_RESET_MS: "1000",
      ...consumers,
      PAYMENT_PROVIDER: payments.PAYMENT_PROVIDER,
      PAYMENT_WINDOW_SECONDS: String(PAYMENT_WINDOW_SECONDS),
    },
    payment: {
      ...common,
      ...consumers,
      ...payments,
      ORDER_SERVICE_URL: url("order"),
      OUTBOX_POLL_MS: "100",
      REFUND_RETRY_MS: "500",
    },
    // Debug: should the activity consumer stall, its last lines say where.
    activity: { ...common, ...consumers, MONGO_URL: mongo.url, LOG_LEVEL: "debug" },
    notification: {
      ...common,
      ...consumers,
      SMTP_URL: smtp.url,
      CHANNELS: "log,email,websocket",
      DELIVERY_INTERVAL_MS: "100",
      DELIVERY_LEASE_MS: "5000",
    },
    gateway: {
      ...common,
      USER_URL: url("user"),
      INVENTORY_URL: url("inventory"),
      ORDER_URL: url("order"),
      ACTIVITY_URL: url("activity"),
      NOTIFICATION_URL: url("notification"),
      PAYMENT_URL: url("payment"),
      RATE_LIMIT_IP_BURST: "100000",
      RATE_LIMIT_IP_PER_MINUTE: "1000000",
      RATE_LIMIT_USER_BURST: "100000",
      RATE_LIMIT_USER_PER_MINUTE: "1000000",
      METRICS_PORT: String(ports.gatewayMetrics),
    },
  };

  /** The last lines each service wrote (warnings and errors), for a failure's explanation. */
  const logs: Record<string, string[]> = {};
  const keep = (name: string, line: string, most = Number.POSITIVE_INFINITY) => {
    const kept = logs[name] ?? [];
    logs[name] = kept;
    kept.push(line);
    if (kept.length > most) kept.shift();
  };
  const note = (message: string) => keep("supervisor", `${new Date().toISOString()} ${message}`);
  const supervisor = new Supervisor(note);
  const spec = (name: ServiceName) => ({
    name,
    command: ["bun", main(name)],
    cwd: root,
    env: { ...process.env, ...env[name], PORT: String(ports[name]) },
    ready: httpReady(ports[name]),
    output: (line: string) => {
      // What is not a log line of ours (an uncaught error's trace) is kept whole: it says why a process died.
      if (!line.startsWith("{")) keep(`${name} (other output)`, line);
      keep(name, line, 200);
    },
  });
  await supervisor.start(spec("user"));
  await Promise.all(SERVICES.filter((name) => name !== "user").map((name) => supervisor.start(spec(name))));

  /** Runs the inventory's reconciliation against this platform. */
  async function reconcile(): Promise<{ code: number; output: string }> {
    const child = Bun.spawn(["bun", join(root, "services", "inventory", "src", "reconcile.ts")], {
      env: { ...process.env, REDIS_URL: redis.url, ORDER_SERVICE_URL: url("order") },
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

  async function stop(): Promise<void> {
    await supervisor.stopAll();
    await smtp.stop();
    await Promise.all([postgres.remove(), redis.remove(), mongo.remove()]);
  }

  return {
    gateway: `${url("gateway")}/api`,
    postgres,
    redis,
    mongo,
    smtp,
    supervisor,
    logs,
    note,
    reconcile,
    stop,
  };
}

export type CrashPlatform = Awaited<ReturnType<typeof startCrashPlatform>>;
