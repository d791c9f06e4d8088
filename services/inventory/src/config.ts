/** The inventory service's configuration, read once from the environment (see README). */
import { currency, Env, loadConfigOrExit, logLevel, port, type Static, url } from "@platform/config";

export const inventoryConfigSchema = Env.Object({
  PORT: port(3002),
  GRPC_PORT: port(50051),
  LOG_LEVEL: logLevel(),
  POSTGRES_URL: url(["postgres", "postgresql"], "postgres://platform:platform@127.0.0.1:5432/platform"),
  POSTGRES_SCHEMA: Env.String({ pattern: "^[a-z_][a-z0-9_]{0,62}$", default: "inventory" }),
  POSTGRES_POOL_MAX: Env.Integer({ minimum: 1, maximum: 100, default: 10 }),
  REDIS_URL: url(["redis", "rediss"], "redis://127.0.0.1:6379"),
  /** Prefix of the stock keys (which share the hash tag {stock}). */
  REDIS_KEY_PREFIX: Env.String({ default: "inventory:" }),
  EVENTS_STREAM: Env.String({ minLength: 1, default: "events:inventory" }),
  STREAM_MAX_LEN: Env.Integer({ minimum: 1000, default: 100_000 }),

  DEFAULT_CURRENCY: currency("EUR"),
  DEFAULT_LOW_STOCK_THRESHOLD: Env.Integer({ minimum: 0, default: 5 }),
  /** How long a reservation holds when the caller gives no ttl_seconds, and the most it may ask for. */
  RESERVATION_TTL_SECONDS: Env.Integer({ minimum: 1, default: 900 }),
  MAX_RESERVATION_TTL_SECONDS: Env.Integer({ minimum: 1, default: 86_400 }),
  SWEEP_INTERVAL_MS: Env.Integer({ minimum: 10, default: 1_000 }),
  OUTBOX_INTERVAL_MS: Env.Integer({ minimum: 10, default: 1_000 }),

  /** Where the user service publishes its token keys. */
  JWKS_URL: url(["http", "https"], "http://127.0.0.1:3001/.well-known/jwks.json"),
  JWT_ISSUER: Env.String({ minLength: 1, default: "order-platform/user" }),
  JWT_AUDIENCE: Env.String({ minLength: 1, default: "order-platform" }),
});

export type InventoryConfig = Readonly<Static<typeof inventoryConfigSchema>>;

export const loadInventoryConfig = (env: Record<string, string | undefined> = process.env): InventoryConfig =>
  loadConfigOrExit("inventory", inventoryConfigSchema, env);
