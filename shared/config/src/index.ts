/**
 * Typed configuration from environment variables, validated once at start-up.
 *
 * A service declares its variables as a TypeBox object schema (defaults included, so a developer
 * can run it with nothing set), loads it once in main.ts and passes the frozen result down.
 */
import { type Static, type TObject, type TString, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { CurrencySchema } from "./currency.js";

export { type Static, Type as Env } from "@sinclair/typebox";
export { CurrencySchema, isCurrency } from "./currency.js";

/** A variable that is missing or malformed; the message is one line naming it. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

type Environment = Record<string, string | undefined>;

const SECRET_NAME = /PASSWORD|SECRET|TOKEN|PRIVATE|KEY$/i;

/** Reads, defaults, converts and checks the schema's variables; throws ConfigError on the first bad one. */
export function loadConfig<T extends TObject>(
  schema: T,
  env: Environment = process.env,
): Readonly<Static<T>> {
  const raw: Record<string, string> = {};
  for (const name of Object.keys(schema.properties)) {
    const value = env[name];
    // An empty variable counts as unset, as compose and shells often pass `FOO=` for "nothing".
    if (value !== undefined && value !== "") raw[name] = value;
  }
  const value = Value.Convert(schema, Value.Default(schema, structuredClone(raw)));
  const error = Value.Errors(schema, value).First();
  if (error) {
    const name = error.path.split("/")[1] ?? error.path;
    if (!(name in raw)) throw new ConfigError(`missing environment variable ${name}: ${error.message}`);
    const shown = SECRET_NAME.test(name) ? "(hidden)" : JSON.stringify(raw[name]);
    throw new ConfigError(`invalid environment variable ${name}=${shown}: ${error.message}`);
  }
  return Object.freeze(value as Static<T>);
}

/**
 * loadConfig for a process entry point: a bad variable prints one line to stderr and exits 1,
 * before anything else starts.
 */
export function loadConfigOrExit<T extends TObject>(
  service: string,
  schema: T,
  env: Environment = process.env,
): Readonly<Static<T>> {
  try {
    return loadConfig(schema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${service}: ${error.message}\n`);
    process.exit(1);
  }
}

/** A TCP port, 0 (pick a free one) to 65535. */
export const port = (fallback: number) => Type.Integer({ minimum: 0, maximum: 65535, default: fallback });

/** A URL with one of the given schemes, e.g. url(["postgres", "postgresql"], "postgres://..."). */
export function url(schemes: readonly string[], fallback?: string): TString {
  const pattern = `^(${schemes.join("|")})://\\S+$`;
  return Type.String(
    fallback === undefined ? { pattern } : { pattern, default: fallback, description: `${schemes[0]} URL` },
  );
}

/** A comma-separated list, e.g. CORS_ORIGINS=a,b. */
export function csv(raw: string | undefined): string[] {
  return (raw ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

/** Log levels pino understands. */
export const logLevel = () =>
  Type.Union(
    ["fatal", "error", "warn", "info", "debug", "trace", "silent"].map((level) => Type.Literal(level)),
    { default: "info" },
  );

/** An ISO 4217 currency code the runtime knows, e.g. EUR. */
export const currency = (fallback: string) => Type.String({ ...CurrencySchema, default: fallback });

/**
 * What every service reads: where it listens, its log level, and how long start-up waits for a
 * dependency (Postgres, Redis, MongoDB) that does not answer yet before the process gives up.
 * Services listen on loopback unless told otherwise: only the gateway is meant to be reached from
 * outside, and a service port also serves /internal routes and /metrics. Containers set HOST=0.0.0.0
 * on a network only the platform shares (compose, the Kubernetes NetworkPolicy).
 */
export const serviceSettings = (defaultPort: number, defaultHost = "127.0.0.1") => ({
  HOST: Type.String({ minLength: 1, default: defaultHost }),
  PORT: port(defaultPort),
  LOG_LEVEL: logLevel(),
  STARTUP_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 120_000 }),
  ...tracingSettings(),
});

/** OpenTelemetry: traces go over OTLP/HTTP to this endpoint when it is set, nowhere otherwise. */
export const tracingSettings = () => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(url(["http", "https"])),
  OTEL_EXPORTER_OTLP_PROTOCOL: Type.Union([Type.Literal("http/protobuf"), Type.Literal("http/json")], {
    default: "http/protobuf",
  }),
  /** Longest a finished span waits before its batch is exported (ms). */
  OTEL_BSP_SCHEDULE_DELAY: Type.Integer({ minimum: 10, maximum: 60_000, default: 1_000 }),
  /** The share of new traces recorded, 0 to 1 (a trace a caller began keeps the caller's decision). */
  OTEL_TRACES_SAMPLER_ARG: Type.Number({ minimum: 0, maximum: 1, default: 1 }),
});

/** The variables every service with a Postgres schema of its own reads. */
export const postgresSettings = (schema: string) => ({
  POSTGRES_URL: url(["postgres", "postgresql"], "postgres://platform:platform@127.0.0.1:5432/platform"),
  POSTGRES_SCHEMA: Type.String({ pattern: "^[a-z_][a-z0-9_]{0,62}$", default: schema }),
  POSTGRES_POOL_MAX: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
});

/** The variables of a service that verifies the platform's access tokens (the user service's JWKS). */
export const tokenVerificationSettings = () => ({
  JWKS_URL: url(["http", "https"], "http://127.0.0.1:3001/.well-known/jwks.json"),
  ...tokenClaimSettings(),
});

/** Issuer, audience and lifetime, which the user service mints and every verifier checks. */
export const tokenClaimSettings = () => ({
  JWT_ISSUER: Type.String({ minLength: 1, default: "order-platform/user" }),
  JWT_AUDIENCE: Type.String({ minLength: 1, default: "order-platform" }),
  /**
   * Access tokens' lifetime: the user service mints them for this long, and every verifier refuses
   * a token issued longer ago and forgets a revocation after it. The same value everywhere.
   */
  JWT_TTL_SECONDS: Type.Integer({ minimum: 60, maximum: 86_400, default: 900 }),
});

/** Redis. */
export const redisSettings = () => ({ REDIS_URL: url(["redis", "rediss"], "redis://127.0.0.1:6379") });

/** The event consumer's knobs: group, deliveries before the dead-letter stream, reclaim idle time. */
export const consumerTuning = (group: string) => ({
  CONSUMER_GROUP: Type.String({ minLength: 1, default: group }),
  MAX_DELIVERIES: Type.Integer({ minimum: 1, default: 5 }),
  /** An entry pending this long is reclaimed from a consumer that stopped (or retried after a failure). */
  CLAIM_IDLE_MS: Type.Integer({ minimum: 100, default: 30_000 }),
  /** How long one blocking read waits for new entries (and so how often reclaims are looked for). */
  CONSUMER_BLOCK_MS: Type.Integer({ minimum: 10, maximum: 60_000, default: 2_000 }),
});

/** A consumer of every stream of the platform (the activity log, the notifications). */
export const consumerSettings = (group: string) => ({
  ORDERS_STREAM: Type.String({ minLength: 1, default: "events:orders" }),
  INVENTORY_STREAM: Type.String({ minLength: 1, default: "events:inventory" }),
  PAYMENTS_STREAM: Type.String({ minLength: 1, default: "events:payments" }),
  ...consumerTuning(group),
});

interface ConsumerTuning {
  CONSUMER_GROUP: string;
  MAX_DELIVERIES: number;
  CLAIM_IDLE_MS: number;
  CONSUMER_BLOCK_MS: number;
}

/** The consumer-group part of a configuration, as a ConsumerGroup takes it, for these streams. */
export const groupSettings = (config: ConsumerTuning, streams: string[]) => ({
  streams,
  group: config.CONSUMER_GROUP,
  maxDeliveries: config.MAX_DELIVERIES,
  claimIdleMs: config.CLAIM_IDLE_MS,
  blockMs: config.CONSUMER_BLOCK_MS,
});

/** The consumer-group part of a configuration read with consumerSettings(): every stream. */
export const consumerGroupSettings = (
  config: ConsumerTuning & { ORDERS_STREAM: string; INVENTORY_STREAM: string; PAYMENTS_STREAM: string },
) => groupSettings(config, [config.ORDERS_STREAM, config.INVENTORY_STREAM, config.PAYMENTS_STREAM]);

/** The transactional outbox's knobs: the stream it publishes to, its bound, polling and retention. */
export const outboxSettings = (stream: string) => ({
  EVENTS_STREAM: Type.String({ minLength: 1, default: stream }),
  /** The stream is trimmed towards this many entries, never past one a group has not acknowledged. */
  STREAM_MAX_LEN: Type.Integer({ minimum: 1000, default: 100_000 }),
  /** How often the relay looks for unpublished rows (it is also woken after each commit). */
  OUTBOX_POLL_MS: Type.Integer({ minimum: 10, default: 1_000 }),
  /** How long published rows stay in the outbox table. */
  OUTBOX_RETENTION_HOURS: Type.Integer({ minimum: 1, default: 72 }),
});

/** The relay part of a configuration read with outboxSettings(), as an OutboxRelay takes it. */
export const outboxRelaySettings = (config: {
  EVENTS_STREAM: string;
  STREAM_MAX_LEN: number;
  OUTBOX_POLL_MS: number;
  OUTBOX_RETENTION_HOURS: number;
}) => ({
  streams: [config.EVENTS_STREAM],
  streamMaxLen: config.STREAM_MAX_LEN,
  pollMs: config.OUTBOX_POLL_MS,
  retentionMs: config.OUTBOX_RETENTION_HOURS * 3_600_000,
});
