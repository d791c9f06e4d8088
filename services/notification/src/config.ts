/** The notification service's configuration, read once from the environment (see README). */
import {
  consumerSettings,
  csv,
  Env,
  loadConfigOrExit,
  postgresSettings,
  redisSettings,
  type Static,
  serviceSettings,
  tokenVerificationSettings,
  url,
} from "@platform/config";
import { CHANNELS, type Channel } from "./domain/notification.js";

export const notificationConfigSchema = Env.Object({
  ...serviceSettings(3005),
  ...postgresSettings("notifications"),
  ...redisSettings(),
  ...consumerSettings("notification"),
  ...tokenVerificationSettings(),

  /**
   * The channels a customer may be notified on (each user can switch email, sms and webhook off);
   * webhook also needs WEBHOOK_URL, sms needs SMS_URL.
   */
  CHANNELS: Env.String({
    pattern: `^(${CHANNELS.join("|")})(,(${CHANNELS.join("|")}))*$`,
    default: "log,email,websocket,webhook,sms",
  }),
  SMTP_URL: url(["smtp", "smtps"], "smtp://127.0.0.1:1025"),
  MAIL_FROM: Env.String({ minLength: 3, default: "Order Platform <orders@order-platform.local>" }),
  SMTP_TIMEOUT_MS: Env.Integer({ minimum: 100, default: 5_000 }),
  /** Emails in flight at once, and so SMTP connections kept open in the pool. */
  EMAIL_CONCURRENCY: Env.Integer({ minimum: 1, maximum: 100, default: 8 }),
  /** Who hears about stock.low: comma-separated addresses. */
  ADMIN_EMAILS: Env.String({ default: "" }),
  WEBHOOK_URL: Env.Optional(url(["http", "https"])),
  /** Signs webhook bodies (HMAC-SHA256); required with WEBHOOK_URL. */
  WEBHOOK_SECRET: Env.Optional(Env.String({ minLength: 16 })),
  WEBHOOK_TIMEOUT_MS: Env.Integer({ minimum: 100, default: 3_000 }),
  /** Webhook calls in flight at once. */
  WEBHOOK_CONCURRENCY: Env.Integer({ minimum: 1, maximum: 500, default: 16 }),
  /**
   * The SMS provider's endpoint: `POST {to, body, reference}` (scripts/sms-sink.ts in development,
   * started by `bun run start` at http://127.0.0.1:8026/messages).
   */
  SMS_URL: Env.Optional(url(["http", "https"])),
  /** Sent as a bearer token to the SMS provider, when it wants one. */
  SMS_TOKEN: Env.Optional(Env.String({ minLength: 1 })),
  SMS_TIMEOUT_MS: Env.Integer({ minimum: 100, default: 5_000 }),
  /** Text messages in flight at once. */
  SMS_CONCURRENCY: Env.Integer({ minimum: 1, maximum: 500, default: 8 }),
  /** WebSocket pushes (a Redis PUBLISH each) and log lines in flight at once. */
  WEBSOCKET_CONCURRENCY: Env.Integer({ minimum: 1, maximum: 500, default: 32 }),
  LOG_CONCURRENCY: Env.Integer({ minimum: 1, maximum: 500, default: 32 }),

  /** Delivery attempts before a notification stays failed (until an admin retries it). */
  MAX_ATTEMPTS: Env.Integer({ minimum: 1, maximum: 50, default: 5 }),
  /** First retry delay; each further one doubles. */
  RETRY_BASE_MS: Env.Integer({ minimum: 10, default: 2_000 }),
  DELIVERY_INTERVAL_MS: Env.Integer({ minimum: 10, default: 500 }),
  /** Notifications each channel's lane claims per query. */
  DELIVERY_BATCH_SIZE: Env.Integer({ minimum: 1, maximum: 1_000, default: 100 }),
  /** How long a claimed notification is held before another replica may take it over. */
  DELIVERY_LEASE_MS: Env.Integer({ minimum: 1_000, default: 60_000 }),
  /** Sent and failed notifications older than this many days are deleted (0: kept for good). */
  NOTIFICATION_RETENTION_DAYS: Env.Integer({ minimum: 0, default: 0 }),
});

export type NotificationConfig = Readonly<Static<typeof notificationConfigSchema>>;

export function loadNotificationConfig(
  env: Record<string, string | undefined> = process.env,
): NotificationConfig {
  const config = loadConfigOrExit("notification", notificationConfigSchema, env);
  if (config.WEBHOOK_URL && !config.WEBHOOK_SECRET) {
    process.stderr.write(
      "notification: missing environment variable WEBHOOK_SECRET: required with WEBHOOK_URL\n",
    );
    process.exit(1);
  }
  return config;
}

/** The channels in force: those configured, less webhook and sms when they have no URL. */
export function enabledChannels(config: NotificationConfig): Channel[] {
  return (csv(config.CHANNELS) as Channel[]).filter(
    (channel) =>
      (channel !== "webhook" || Boolean(config.WEBHOOK_URL)) &&
      (channel !== "sms" || Boolean(config.SMS_URL)),
  );
}
