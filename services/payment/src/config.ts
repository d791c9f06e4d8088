/** The payment service's configuration, read once from the environment (see README). */
import {
  ConfigError,
  consumerTuning,
  Env,
  loadConfig,
  outboxSettings,
  postgresSettings,
  redisSettings,
  type Static,
  serviceSettings,
  tokenVerificationSettings,
  url,
} from "@platform/config";

export const paymentConfigSchema = Env.Object({
  ...serviceSettings(3006),
  ...postgresSettings("payments"),
  ...redisSettings(),
  ...outboxSettings("events:payments"),
  /** Order cancellations (the `payment` group on the orders stream): refund or call off the payment. */
  ORDERS_STREAM: Env.String({ minLength: 1, default: "events:orders" }),
  ...consumerTuning("payment"),
  ...tokenVerificationSettings(),

  /**
   * `none`: no payments (orders are confirmed at once; the order service must say `none` too).
   * `sandbox`: a local simulator with Stripe's test cards and signed webhooks. `stripe`: Stripe.
   */
  PAYMENT_PROVIDER: Env.Union([Env.Literal("none"), Env.Literal("sandbox"), Env.Literal("stripe")], {
    default: "none",
  }),
  /**
   * Verifies the provider's webhooks (Stripe's `whsec_…`); the sandbox signs its own with it.
   * Required with a provider; never committed (scripts/start.ts generates one into .data/).
   */
  PAYMENT_WEBHOOK_SECRET: Env.Optional(Env.String({ minLength: 16 })),
  /** Declined attempts before a payment fails for good and its order is cancelled. */
  PAYMENT_MAX_ATTEMPTS: Env.Integer({ minimum: 1, maximum: 20, default: 3 }),
  /** The order service, for what a payment is owed (GET /internal/orders/{id}/billing). */
  ORDER_SERVICE_URL: url(["http", "https"], "http://127.0.0.1:3003"),
  ORDER_TIMEOUT_MS: Env.Integer({ minimum: 50, default: 2_000 }),

  /** Stripe's secret API key (`sk_test_…`); required with PAYMENT_PROVIDER=stripe. */
  STRIPE_SECRET_KEY: Env.Optional(Env.String({ minLength: 1 })),
  /** Another Stripe API endpoint, such as stripe-mock's (`http://127.0.0.1:12111`). */
  STRIPE_API_URL: Env.Optional(url(["http", "https"])),

  /** How often refunds left pending (the provider was away) are tried again. */
  REFUND_RETRY_MS: Env.Integer({ minimum: 100, default: 10_000 }),

  MAX_BODY_BYTES: Env.Integer({ minimum: 1024, default: 256 * 1024 }),
});

export type PaymentConfig = Readonly<Static<typeof paymentConfigSchema>>;

/** loadConfig, and the variables a provider needs besides. Throws ConfigError. */
export function readPaymentConfig(env: Record<string, string | undefined> = process.env): PaymentConfig {
  const config = loadConfig(paymentConfigSchema, env);
  if (config.PAYMENT_PROVIDER !== "none" && !config.PAYMENT_WEBHOOK_SECRET) {
    throw new ConfigError(
      `missing environment variable PAYMENT_WEBHOOK_SECRET: required with PAYMENT_PROVIDER=${config.PAYMENT_PROVIDER}`,
    );
  }
  if (config.PAYMENT_PROVIDER === "stripe" && !config.STRIPE_SECRET_KEY) {
    throw new ConfigError(
      "missing environment variable STRIPE_SECRET_KEY: required with PAYMENT_PROVIDER=stripe",
    );
  }
  return config;
}

/** readPaymentConfig for the process: a bad variable prints one line and exits 1. */
export function loadPaymentConfig(env: Record<string, string | undefined> = process.env): PaymentConfig {
  try {
    return readPaymentConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`payment: ${error.message}\n`);
    process.exit(1);
  }
}
