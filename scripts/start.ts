/**
 * `bun run start`: the whole platform on this machine. Brings up the infrastructure
 * (scripts/infra.sh), a development SMTP sink and a development SMS sink, starts every service that exists as its own
 * process (each migrates its schema at start-up), prefixes their log lines with the service name,
 * waits until each is ready, seeds the first admin and a demo catalog, then prints where everything
 * is. A process that exits is started again with backoff (lib/supervisor.ts), as compose or
 * Kubernetes would. Ctrl-C stops the services gracefully; the infrastructure keeps running
 * (`bun run infra:down`).
 *
 * Payments are off unless PAYMENT_PROVIDER says otherwise (`PAYMENT_PROVIDER=sandbox bun run start`:
 * Stripe's test cards, no account); the order and payment services are given the same provider, and
 * a webhook secret generated once into .data/payment-webhook-secret unless PAYMENT_WEBHOOK_SECRET is
 * set.
 *
 * The web console (console/, served by the gateway at /) is built first when its files are missing or
 * older than its sources.
 *
 * `bun run start --observability` (or OBSERVABILITY=1) also runs Jaeger (traces; the services
 * export to it over OTLP) and Prometheus (observability/prometheus/prometheus.local.yml: scrapes
 * every service, loads the alert rules), installed by scripts/lib/observability.sh.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { httpReady, Supervisor, tcpReady } from "./lib/supervisor.js";

const root = join(import.meta.dir, "..");
const data = join(root, ".data");
const log = (message: string) => console.log(`\x1b[1mplatform\x1b[0m | ${message}`);

interface PlatformProcess {
  name: string;
  port: number;
  env?: Record<string, string>;
  /** Entry point; services/<name>/src/main.ts unless given. */
  main?: string;
  /** A program that is not ours (Jaeger, Prometheus): run as given instead of `bun <main>`. */
  command?: string[];
  /** How to tell it is up: GET /ready (services) or an open TCP port. */
  ready?: "http" | "tcp";
}

/** A customer for trying things out (a development convenience, like the demo catalog). */
const DEMO_CUSTOMER = { email: "demo@example.com", name: "Demo Customer", password: "demo-password-1" };
/** The demo customer's phone, so their orders also send a text message to the SMS sink. */
const DEMO_PHONE = "+15555550100";
const SMS_SINK_PORT = 8026;
const PAYMENT_PORT = 3006;
const gatewayPort = Number(process.env.GATEWAY_PORT ?? 8080);

const PAYMENT_PROVIDERS = ["none", "sandbox", "stripe"] as const;
type PaymentProvider = (typeof PAYMENT_PROVIDERS)[number];
const isPaymentProvider = (value: string): value is PaymentProvider =>
  (PAYMENT_PROVIDERS as readonly string[]).includes(value);

/**
 * PAYMENT_PROVIDER (none unless set) for the order and payment services alike, which must agree,
 * and with a provider the webhook secret: PAYMENT_WEBHOOK_SECRET, else one generated once into
 * .data (git-ignored), as the admin's password is.
 */
function paymentSettings(): { provider: PaymentProvider; env: Record<string, string> } {
  const provider = process.env.PAYMENT_PROVIDER || "none";
  if (!isPaymentProvider(provider)) {
    log(`PAYMENT_PROVIDER=${provider}: expected one of ${PAYMENT_PROVIDERS.join(", ")}`);
    process.exit(1);
  }
  if (provider === "none") return { provider, env: { PAYMENT_PROVIDER: provider } };
  if (provider === "stripe" && !process.env.STRIPE_SECRET_KEY) {
    log("PAYMENT_PROVIDER=stripe needs STRIPE_SECRET_KEY (sk_test_…); or try PAYMENT_PROVIDER=sandbox");
    process.exit(1);
  }
  // Stripe signs with your endpoint's own secret: a generated one only lets the service start.
  if (provider === "stripe" && !process.env.PAYMENT_WEBHOOK_SECRET) {
    log(
      "PAYMENT_WEBHOOK_SECRET is not set: Stripe's webhooks fail verification until it is your endpoint's whsec_…",
    );
  }
  // A webhook secret made once (the sandbox signs with it).
  const secret =
    process.env.PAYMENT_WEBHOOK_SECRET ||
    secretFile("payment-webhook-secret", () => `whsec_${crypto.getRandomValues(new Uint8Array(24)).toHex()}`);
  return { provider, env: { PAYMENT_PROVIDER: provider, PAYMENT_WEBHOOK_SECRET: secret } };
}

/** A secret generated once into .data/<name> (readable by its owner only) and read from there after. */
function secretFile(name: string, make: () => string): string {
  const file = join(data, name);
  if (!existsSync(file)) {
    mkdirSync(data, { recursive: true });
    writeFileSync(file, `${make()}\n`, { mode: 0o600 });
  }
  return readFileSync(file, "utf8").trim();
}
const payments = paymentSettings();

/** Every part of the architecture and its default port; those not built yet are skipped. */
const PROCESSES: PlatformProcess[] = [
  // The development SMTP sink the notification service sends to (compose uses Mailpit instead).
  { name: "mail", port: 1025, main: join(root, "scripts", "mail-sink.ts"), ready: "tcp" },
  // The development SMS provider: text messages land here (GET /messages lists them).
  { name: "sms", port: SMS_SINK_PORT, main: join(root, "scripts", "sms-sink.ts") },
  { name: "user", port: 3001, env: {} },
  { name: "inventory", port: 3002 },
  { name: "order", port: 3003, env: payments.env },
  { name: "activity", port: 3004 },
  {
    name: "notification",
    port: 3005,
    env: {
      ADMIN_EMAILS: process.env.ADMIN_EMAIL ?? "admin@example.com",
      SMS_URL: process.env.SMS_URL ?? `http://127.0.0.1:${SMS_SINK_PORT}/messages`,
    },
  },
  {
    name: "payment",
    port: PAYMENT_PORT,
    env: payments.env,
  },
  { name: "gateway", port: gatewayPort, env: { PAYMENT_URL: `http://127.0.0.1:${PAYMENT_PORT}` } },
];

const observability = process.argv.includes("--observability") || process.env.OBSERVABILITY === "1";
const OTLP_HTTP_PORT = 4318;

/** Jaeger and Prometheus, installed on first use (Prometheus from the OS packages, Jaeger built with Go). */
async function observabilityProcesses(): Promise<PlatformProcess[]> {
  log("observability: making Jaeger and Prometheus available (scripts/lib/observability.sh)");
  const install = Bun.spawn(["bash", join(root, "scripts", "lib", "observability.sh"), "install"], {
    stdout: "pipe",
    stderr: "inherit",
  });
  const [code, output] = await Promise.all([install.exited, new Response(install.stdout).text()]);
  if (code !== 0) throw new Error("scripts/lib/observability.sh install failed");
  const bin = (name: string) => output.match(new RegExp(`^${name}=(.*)$`, "m"))?.[1] ?? "";
  return [
    // All in one, in memory: OTLP on 4317/4318 (loopback), the UI on 16686.
    { name: "jaeger", port: OTLP_HTTP_PORT, command: [bin("JAEGER_BIN")], ready: "tcp" },
    {
      name: "prometheus",
      port: 9090,
      command: [
        bin("PROMETHEUS_BIN"),
        `--config.file=${join(root, "observability", "prometheus", "prometheus.local.yml")}`,
        `--storage.tsdb.path=${join(data, "prometheus")}`,
        "--web.listen-address=127.0.0.1:9090",
      ],
      ready: "tcp",
    },
  ];
}

const DEMO_CATALOG = [
  { sku: "DEMO-MUG", name: "Stoneware mug", priceCents: 1250, initialStock: 120, lowStockThreshold: 10 },
  { sku: "DEMO-TEE", name: "Cotton T-shirt", priceCents: 1999, initialStock: 80, lowStockThreshold: 10 },
  { sku: "DEMO-LAMP", name: "Desk lamp", priceCents: 4900, initialStock: 25, lowStockThreshold: 5 },
  { sku: "DEMO-BOOK", name: "Field notebook", priceCents: 899, initialStock: 200, lowStockThreshold: 20 },
  {
    sku: "DEMO-HOT",
    name: "Limited print (hot SKU)",
    priceCents: 2500,
    initialStock: 10,
    lowStockThreshold: 3,
  },
];

const COLORS = [90, 36, 33, 35, 32, 34, 31, 93, 96];

/**
 * PLATFORM_CPU_PROFILE=1: every process writes a CPU profile (markdown, grep-friendly) into
 * .data/profiles/<name>/ when it stops (Ctrl-C). Profile before optimising.
 */
const profileFlags = (name: string) =>
  process.env.PLATFORM_CPU_PROFILE ? ["--cpu-prof-md", `--cpu-prof-dir=${join(data, "profiles", name)}`] : [];
/**
 * JavaScriptCore paces its collector by the RAM it believes it has (the whole machine's): each
 * process is told the memory limit of its pod in deploy/k8s (384 MiB), as the Dockerfile does, so
 * it runs here as lean as it would there. BUN_JSC_forceRAMSize in the environment overrides it.
 */
const RUNTIME_RAM_BYTES = String(384 * 1024 * 1024);
const mainOf = (p: PlatformProcess) => p.main ?? join(root, "services", p.name, "src", "main.ts");

async function infrastructure(): Promise<Record<string, string>> {
  log("bringing up Postgres, Redis and MongoDB (scripts/infra.sh up)");
  const infra = Bun.spawn(["bash", join(root, "scripts", "infra.sh"), "up"], {
    stdout: "pipe",
    stderr: "inherit",
  });
  const [code, output] = await Promise.all([infra.exited, new Response(infra.stdout).text()]);
  if (code !== 0) throw new Error("scripts/infra.sh up failed");
  return Object.fromEntries(
    [...output.matchAll(/^export ([A-Z_]+)=(.*)$/gm)].map((match) => [
      match[1] as string,
      match[2] as string,
    ]),
  );
}

/** The first admin: ADMIN_EMAIL / ADMIN_PASSWORD, else a password generated once into .data. */
function adminCredentials(): { email: string; password: string } {
  const email = process.env.ADMIN_EMAIL ?? "admin@example.com";
  if (process.env.ADMIN_PASSWORD) return { email, password: process.env.ADMIN_PASSWORD };
  return { email, password: secretFile("admin-password", () => crypto.randomUUID()) };
}

/** The demo catalog, created through the public APIs as the admin; products that exist are left alone. */
async function seedDemoCatalog(
  admin: { email: string; password: string },
  running: PlatformProcess[],
): Promise<void> {
  if (!running.some((p) => p.name === "user") || !running.some((p) => p.name === "inventory")) return;
  const login = await fetch("http://127.0.0.1:3001/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(admin),
  });
  if (!login.ok) {
    log(
      `demo catalog skipped: the admin could not log in (${login.status}); is ADMIN_PASSWORD the one it was created with?`,
    );
    return;
  }
  const { accessToken } = (await login.json()) as { accessToken: string };
  let created = 0;
  for (const product of DEMO_CATALOG) {
    const res = await fetch("http://127.0.0.1:3002/products", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${accessToken}` },
      body: JSON.stringify(product),
    });
    if (res.status === 201) created++;
    else if (res.status !== 409) log(`demo product ${product.sku}: ${res.status} ${await res.text()}`);
  }
  log(`demo catalog: ${created} product(s) created, ${DEMO_CATALOG.length - created} already there`);
  const customer = await fetch("http://127.0.0.1:3001/users", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(DEMO_CUSTOMER),
  });
  if (customer.status !== 201 && customer.status !== 409) {
    log(`demo customer: ${customer.status} ${await customer.text()}`);
    return;
  }
  await giveDemoCustomerAPhone();
}

/** The demo customer's phone, unless they have one (a phone they changed is left alone). */
async function giveDemoCustomerAPhone(): Promise<void> {
  const login = await fetch("http://127.0.0.1:3001/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: DEMO_CUSTOMER.email, password: DEMO_CUSTOMER.password }),
  });
  if (!login.ok) return log(`demo customer's phone: login ${login.status}`);
  const { accessToken } = (await login.json()) as { accessToken: string };
  const me = await fetch("http://127.0.0.1:3001/users/me", {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  if (me.ok && ((await me.json()) as { phone?: string }).phone) return;
  const res = await fetch("http://127.0.0.1:3001/users/me", {
    method: "PATCH",
    headers: { "content-type": "application/json", authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ phone: DEMO_PHONE }),
  });
  if (!res.ok) log(`demo customer's phone: ${res.status} ${await res.text()}`);
}

/** With the sandbox: pay $ORDER with Stripe's test card 4242, through the gateway. */
function printSandboxPayment(gateway: string): void {
  const auth = `-H "authorization: Bearer $TOKEN"`;
  console.log("  it waits PENDING_PAYMENT: pay it with Stripe's test card 4242 (the sandbox):\n");
  console.log(
    `    PAYMENT=$(curl -s -X POST ${gateway}/api/orders/$ORDER/payment ${auth} | sed -E 's/.*"paymentId":"([^"]+)".*/\\1/')`,
  );
  console.log(
    `    curl -s -X POST ${gateway}/api/payments/sandbox/$PAYMENT/confirm ${auth} -H 'content-type: application/json' -d '{"card":"4242 4242 4242 4242"}'`,
  );
  console.log(`    curl -s ${gateway}/api/orders/$ORDER ${auth}   # CONFIRMED once paid\n`);
  console.log("  or open the payment's checkoutUrl (in the answer of POST .../payment) in a browser.\n");
}

/** One line on payments: how to turn the sandbox on, or what the provider on needs. */
function paymentsNote(gateway: string): string {
  switch (payments.provider) {
    case "none":
      return "payments: none (orders are confirmed at once); try the sandbox with PAYMENT_PROVIDER=sandbox bun run start";
    case "sandbox":
      return "payments: sandbox (cards: 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined, 4000 0025 0000 3155 asks for 3-D Secure)";
    case "stripe":
      return `payments: stripe (orders wait PENDING_PAYMENT); Stripe's webhooks go to ${gateway}/api/payments/webhooks/stripe`;
  }
}

/** The newest modification time of a file under a folder (0 for none). */
function newestIn(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((name) => statSync(join(dir, name)))
    .filter((entry) => entry.isFile())
    .reduce((newest, entry) => Math.max(newest, entry.mtimeMs), 0);
}

/** Builds the web console (Vite, a few seconds) when its built files are missing or stale. */
async function buildConsole(): Promise<void> {
  const consoleDir = join(root, "console");
  if (!existsSync(join(consoleDir, "package.json"))) return;
  const built = join(consoleDir, "dist", "index.html");
  const sources = Math.max(
    newestIn(join(consoleDir, "src")),
    ...["index.html", "vite.config.ts"].map((file) =>
      existsSync(join(consoleDir, file)) ? statSync(join(consoleDir, file)).mtimeMs : 0,
    ),
  );
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  log("building the web console (console/, Vite)");
  const build = Bun.spawn(["bun", "run", "--cwd", consoleDir, "build"], {
    stdout: "inherit",
    stderr: "inherit",
  });
  if ((await build.exited) !== 0) log("the web console did not build; / answers 404 until it does");
}

await buildConsole();
const infraEnv = await infrastructure();
if (observability) infraEnv.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${OTLP_HTTP_PORT}`;
const admin = adminCredentials();
const toStart: PlatformProcess[] = [];
for (const p of [...(observability ? await observabilityProcesses() : []), ...PROCESSES]) {
  if (!p.command && !existsSync(mainOf(p))) continue;
  // An SMTP server that already answers (Mailpit, say) is used instead of the sink.
  if (p.ready === "tcp" && (await tcpReady(p.port)())) {
    log(`${p.name}: something already answers on port ${p.port}; using it`);
    continue;
  }
  toStart.push(p);
}
const width = Math.max(...toStart.map(({ name }) => name.length));
const supervisor = new Supervisor(log);

let stopping = false;
async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    log("stopping the services (the infrastructure keeps running: `bun run infra:down` stops it)");
    await supervisor.stopAll();
  }
  process.exit(code);
}
process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));

try {
  await Promise.all(
    toStart.map((p, index) => {
      const prefix = `\x1b[${COLORS[index % COLORS.length]}m${p.name.padEnd(width)}\x1b[0m | `;
      return supervisor.start({
        name: p.name,
        command: p.command ?? ["bun", ...profileFlags(p.name), mainOf(p)],
        cwd: root,
        env: {
          BUN_JSC_forceRAMSize: RUNTIME_RAM_BYTES,
          ...process.env,
          ...infraEnv,
          ADMIN_EMAIL: admin.email,
          ADMIN_PASSWORD: admin.password,
          ...p.env,
          PORT: String(p.port),
        },
        ready: p.ready === "tcp" ? tcpReady(p.port) : httpReady(p.port),
        output: (line, stream) =>
          (stream === "stdout" ? process.stdout : process.stderr).write(`${prefix}${line}\n`),
      });
    }),
  );
} catch (error) {
  log(String(error));
  await stopAll(1);
}
await seedDemoCatalog(admin, toStart);

log("the platform is up:");
for (const { name, port, ready } of toStart) {
  const where =
    name === "jaeger"
      ? "http://localhost:16686   traces (OTLP in on 4318)"
      : name === "prometheus"
        ? `http://localhost:${port}   metrics and alerts (/alerts)`
        : name === "sms"
          ? `http://localhost:${port}/messages   text messages received`
          : ready === "tcp"
            ? `smtp://localhost:${port}   messages in .data/mail`
            : `http://localhost:${port}   docs: http://localhost:${port}/swagger`;
  console.log(`  ${name.padEnd(width)}  ${where}`);
}
const gateway = `http://localhost:${gatewayPort}`;
const hasGateway = toStart.some((p) => p.name === "gateway");
console.log(
  `  admin: ${admin.email} (password in ${process.env.ADMIN_PASSWORD ? "ADMIN_PASSWORD" : ".data/admin-password"})`,
);
if (hasGateway) {
  console.log(`\n  console: ${gateway}/     API: ${gateway}/api     docs: ${gateway}/docs`);
  console.log(`  place an order as ${DEMO_CUSTOMER.email}:\n`);
  console.log(
    `    TOKEN=$(curl -s -X POST ${gateway}/api/auth/login -H 'content-type: application/json' -d '{"email":"${DEMO_CUSTOMER.email}","password":"${DEMO_CUSTOMER.password}"}' | sed -E 's/.*"accessToken":"([^"]+)".*/\\1/')`,
  );
  const placeOrder = `curl -s -X POST ${gateway}/api/orders -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"items":[{"sku":"DEMO-MUG","quantity":1}]}'`;
  if (payments.provider === "sandbox") {
    // The order's id is the first "id" of its JSON (its lines have none; userId is another key).
    console.log(`    ORDER=$(${placeOrder} | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)\n`);
    printSandboxPayment(gateway);
  } else {
    console.log(`    ${placeOrder}\n`);
  }
  console.log(
    `  then: curl -s ${gateway}/api/notifications -H "authorization: Bearer $TOKEN"   (and /api/activity)`,
  );
  console.log("  or run the walk-through: bun scripts/demo.ts");
  console.log(`\n  ${paymentsNote(gateway)}`);
}
log("Ctrl-C stops the services");
