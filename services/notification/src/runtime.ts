/**
 * The notification service's moving parts, built from config in one place for main.ts and the
 * tests: the channels, the socket hub, the delivery worker and the consumer group. Nothing starts.
 */
import { csv } from "@platform/config";
import type { ConsumerMetrics } from "@platform/events";
import { retentionJob } from "@platform/jobs";
import type { Logger } from "@platform/logging";
import type { Redis } from "ioredis";
import type { Registry } from "prom-client";
import type { ChannelSender } from "./channels/channel.js";
import { emailChannel } from "./channels/email.js";
import { logChannel } from "./channels/log.js";
import { webhookChannel } from "./channels/webhook.js";
import { websocketChannel } from "./channels/websocket.js";
import { type Channel, enabledChannels, type NotificationConfig } from "./config.js";
import { DeliveryWorker } from "./delivery/delivery-worker.js";
import { notificationConsumer } from "./events/notification-consumer.js";
import { type NotificationDb, pruneNotifications } from "./store/notification.store.js";
import { SocketHub } from "./ws/socket-hub.js";

export function createNotificationRuntime(
  config: NotificationConfig,
  deps: {
    db: NotificationDb;
    redis: Redis;
    logger: Logger;
    registry?: Registry;
    consumerMetrics?: ConsumerMetrics;
  },
) {
  const { db, redis, logger } = deps;
  const hub = new SocketHub(redis, logger.child({ component: "sockets" }));
  const email = emailChannel({
    smtpUrl: config.SMTP_URL,
    from: config.MAIL_FROM,
    timeoutMs: config.SMTP_TIMEOUT_MS,
    poolSize: config.EMAIL_CONCURRENCY,
  });
  const senders: Partial<Record<Channel, ChannelSender>> = {
    log: logChannel(logger.child({ component: "log-channel" })),
    email,
    websocket: websocketChannel(hub),
  };
  if (config.WEBHOOK_URL && config.WEBHOOK_SECRET) {
    senders.webhook = webhookChannel({
      url: config.WEBHOOK_URL,
      secret: config.WEBHOOK_SECRET,
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    });
  }
  const worker = new DeliveryWorker({
    db,
    senders,
    logger: logger.child({ component: "delivery" }),
    concurrency: {
      email: config.EMAIL_CONCURRENCY,
      webhook: config.WEBHOOK_CONCURRENCY,
      websocket: config.WEBSOCKET_CONCURRENCY,
      log: config.LOG_CONCURRENCY,
    },
    maxAttempts: config.MAX_ATTEMPTS,
    retryBaseMs: config.RETRY_BASE_MS,
    intervalMs: config.DELIVERY_INTERVAL_MS,
    batchSize: config.DELIVERY_BATCH_SIZE,
    leaseMs: config.DELIVERY_LEASE_MS,
    registry: deps.registry,
  });
  const newConsumer = (name?: string) =>
    notificationConsumer({
      redis,
      db,
      worker,
      streams: [config.ORDERS_STREAM, config.INVENTORY_STREAM],
      group: config.CONSUMER_GROUP,
      customerChannels: enabledChannels(config),
      adminEmails: csv(config.ADMIN_EMAILS),
      maxDeliveries: config.MAX_DELIVERIES,
      claimIdleMs: config.CLAIM_IDLE_MS,
      blockMs: config.CONSUMER_BLOCK_MS,
      logger: logger.child({ component: "consumer" }),
      metrics: deps.consumerMetrics,
      consumer: name,
    });
  const retention = retentionJob({
    name: "notification retention",
    days: config.NOTIFICATION_RETENTION_DAYS,
    prune: (before) => pruneNotifications(db, before),
    logger: logger.child({ component: "retention" }),
  });
  return { hub, worker, email, newConsumer, retention };
}
