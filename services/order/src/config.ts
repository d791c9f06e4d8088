/** The order service's configuration, read once from the environment (see README). */
import {
  consumerTuning,
  Env,
  loadConfigOrExit,
  outboxSettings,
  postgresSettings,
  redisSettings,
  type Static,
  serviceSettings,
  tokenVerificationSettings,
  url,
} from "@platform/config";

export const orderConfigSchema = Env.Object({
  ...serviceSettings(3003),
  ...postgresSettings("orders"),
  ...redisSettings(),
  ...outboxSettings("events:orders"),
  TASK_INTERVAL_MS: Env.Integer({ minimum: 10, default: 1_000 }),

  USER_SERVICE_URL: url(["http", "https"], "http://127.0.0.1:3001"),
  USER_TIMEOUT_MS: Env.Integer({ minimum: 50, default: 1_000 }),
  /** How long a positive user validation is reused. */
  USER_CACHE_TTL_MS: Env.Integer({ minimum: 0, default: 30_000 }),

  INVENTORY_GRPC_ADDRESS: Env.String({ pattern: "^[^\\s:]+:\\d+$", default: "127.0.0.1:50051" }),
  INVENTORY_DEADLINE_MS: Env.Integer({ minimum: 50, default: 2_000 }),
  INVENTORY_RETRIES: Env.Integer({ minimum: 0, maximum: 10, default: 2 }),
  BREAKER_ERROR_PERCENT: Env.Integer({ minimum: 1, maximum: 100, default: 50 }),
  BREAKER_VOLUME: Env.Integer({ minimum: 1, default: 5 }),
  BREAKER_RESET_MS: Env.Integer({ minimum: 100, default: 10_000 }),
  /**
   * How long stock stays reserved for an order whose transaction has not committed yet. With a
   * payment provider the reservation also holds PAYMENT_WINDOW_SECONDS: each is at most half of
   * the inventory's MAX_RESERVATION_TTL_SECONDS (a day by default), so that their sum is never a
   * reservation the inventory refuses (every order would fail, told it was the client's fault).
   */
  RESERVATION_TTL_SECONDS: Env.Integer({ minimum: 10, maximum: 43_200, default: 900 }),

  /**
   * `none`: orders are CONFIRMED at once. Any provider (`sandbox`, `stripe`; the payment service
   * speaks to it): orders wait PENDING_PAYMENT for payment.succeeded (ARCHITECTURE §13).
   */
  PAYMENT_PROVIDER: Env.Union([Env.Literal("none"), Env.Literal("sandbox"), Env.Literal("stripe")], {
    default: "none",
  }),
  /** How long an order may wait for its payment before it is cancelled and its stock released. */
  PAYMENT_WINDOW_SECONDS: Env.Integer({ minimum: 1, maximum: 43_200, default: 900 }),
  /** The payment service's stream, read by the `order` group when payments are on. */
  PAYMENTS_STREAM: Env.String({ minLength: 1, default: "events:payments" }),
  ...consumerTuning("order"),

  IDEMPOTENCY_RETENTION_HOURS: Env.Integer({ minimum: 24, default: 24 }),
  /**
   * How long a duplicate waits for its first request's answer before 409 IDEMPOTENCY_KEY_IN_PROGRESS:
   * under the gateway's UPSTREAM_TIMEOUT_MS (10 s), or the client gets the edge's 504 instead.
   */
  IDEMPOTENCY_WAIT_MS: Env.Integer({ minimum: 100, default: 5_000 }),
  IDEMPOTENCY_LEASE_MS: Env.Integer({ minimum: 1_000, default: 30_000 }),
  MAX_BODY_BYTES: Env.Integer({ minimum: 1024, default: 1024 * 1024 }),

  ...tokenVerificationSettings(),
});

export type OrderConfig = Readonly<Static<typeof orderConfigSchema>>;

export const loadOrderConfig = (env: Record<string, string | undefined> = process.env): OrderConfig =>
  loadConfigOrExit("order", orderConfigSchema, env);
