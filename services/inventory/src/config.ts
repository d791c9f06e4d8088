/** The inventory service's configuration, read once from the environment (see README). */
import {
  currency,
  Env,
  loadConfigOrExit,
  outboxSettings,
  port,
  postgresSettings,
  redisSettings,
  type Static,
  serviceSettings,
  tokenVerificationSettings,
  url,
} from "@platform/config";

export const inventoryConfigSchema = Env.Object({
  ...serviceSettings(3002),
  GRPC_PORT: port(50051),
  /**
   * How long a client's gRPC connection may live before the server asks it to reconnect (0: for
   * ever). Behind a Kubernetes Service a client keeps one connection to one pod; reconnecting now
   * and then spreads the order services' calls over replicas added since.
   */
  GRPC_MAX_CONNECTION_AGE_MS: Env.Integer({ minimum: 0, default: 60_000 }),
  ...postgresSettings("inventory"),
  ...redisSettings(),
  /** Prefix of the stock keys (which share the hash tag {stock}). */
  REDIS_KEY_PREFIX: Env.String({ default: "inventory:" }),
  ...outboxSettings("events:inventory"),

  DEFAULT_CURRENCY: currency("EUR"),
  DEFAULT_LOW_STOCK_THRESHOLD: Env.Integer({ minimum: 0, default: 5 }),
  /** How long a reservation holds when the caller gives no ttl_seconds, and the most it may ask for. */
  RESERVATION_TTL_SECONDS: Env.Integer({ minimum: 1, default: 900 }),
  MAX_RESERVATION_TTL_SECONDS: Env.Integer({ minimum: 1, default: 86_400 }),
  /** How long a settled reservation stays in Redis (retries and reconciliation look it up). */
  RESERVATION_RETENTION_SECONDS: Env.Integer({ minimum: 1, default: 900 }),
  SWEEP_INTERVAL_MS: Env.Integer({ minimum: 10, default: 1_000 }),

  ...tokenVerificationSettings(),
  /** For the reconciliation (`bun run reconcile`): the order service's internal API. */
  ORDER_SERVICE_URL: url(["http", "https"], "http://127.0.0.1:3003"),
});

export type InventoryConfig = Readonly<Static<typeof inventoryConfigSchema>>;

export const loadInventoryConfig = (env: Record<string, string | undefined> = process.env): InventoryConfig =>
  loadConfigOrExit("inventory", inventoryConfigSchema, env);
