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

  /** The channels a customer is notified on; webhook also needs WEBHOOK_URL. */
  CHANNELS: Env.String({
    pattern: `^(${CHANNELS.join("|")})(,(${CHANNELS.join("|")}))*$`,
    default: "log,email,websocket,webhook",
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

/** The channels in force: those configured, less webhook when no URL is set. */
export function enabledChannels(config: NotificationConfig): Channel[] {
  return (csv(config.CHANNELS) as Channel[]).filter(
    (channel) => channel !== "webhook" || Boolean(config.WEBHOOK_URL),
  );
}
