/**
 * The notification service wired from its config, for main.ts and the tests alike: the channels,
 * the socket hub, the delivery worker, the consumer group, the retention job and the REST and
 * WebSocket app. Nothing starts here; start() and stop() run and end the background work.
 */

import type { TokenVerifier } from "@platform/auth";
import { consumerGroupSettings, csv } from "@platform/config";
import { ConsumerMetrics } from "@platform/events";
import { createMetrics, type HttpMetrics } from "@platform/http";
import { retentionJob } from "@platform/jobs";
import type { Logger } from "@platform/logging";
import type { Redis } from "ioredis";
import { createApp } from "./app.js";
import type { ChannelSender } from "./channels/channel.js";
import { emailChannel } from "./channels/email.js";
import { logChannel } from "./channels/log.js";
import { httpSmsProvider, smsChannel } from "./channels/sms.js";
import { webhookChannel } from "./channels/webhook.js";
import { websocketChannel } from "./channels/websocket.js";
import { enabledChannels, type NotificationConfig } from "./config.js";
import { DeliveryWorker } from "./delivery/delivery-worker.js";
import type { Channel } from "./domain/notification.js";
import { notificationConsumer } from "./events/notification-consumer.js";
import { type NotificationDb, pruneNotifications } from "./store/notification.store.js";
import { SocketHub } from "./ws/socket-hub.js";

export interface NotificationConnections {
  db: NotificationDb;
  redis: Redis;
  verifier: TokenVerifier;
  logger: Logger;
  metrics?: HttpMetrics;
}

export function createNotificationRuntime(config: NotificationConfig, connections: NotificationConnections) {
  const { db, redis, verifier, logger } = connections;
  const metrics = connections.metrics ?? createMetrics("notification");
  const consumerMetrics = new ConsumerMetrics(metrics.registry);
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
  if (config.SMS_URL) {
    senders.sms = smsChannel(
      httpSmsProvider({ url: config.SMS_URL, token: config.SMS_TOKEN, timeoutMs: config.SMS_TIMEOUT_MS }),
    );
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
      sms: config.SMS_CONCURRENCY,
    },
    maxAttempts: config.MAX_ATTEMPTS,
    retryBaseMs: config.RETRY_BASE_MS,
    intervalMs: config.DELIVERY_INTERVAL_MS,
    batchSize: config.DELIVERY_BATCH_SIZE,
    leaseMs: config.DELIVERY_LEASE_MS,
    registry: metrics.registry,
  });
  /** A member of the consumer group; tests start several to share the streams. */
  const newConsumer = (name?: string) =>
    notificationConsumer({
      ...consumerGroupSettings(config),
      redis,
      db,
      worker,
      customerChannels: enabledChannels(config),
      adminEmails: csv(config.ADMIN_EMAILS),
      logger: logger.child({ component: "consumer" }),
      metrics: consumerMetrics,
      consumer: name,
    });
  const retention = retentionJob({
    name: "notification retention",
    days: config.NOTIFICATION_RETENTION_DAYS,
    prune: (before) => pruneNotifications(db, before),
    logger: logger.child({ component: "retention" }),
  });
  const consumer = newConsumer();
  const app = createApp(config, { db, redis, verifier, worker, hub, logger, metrics });
  return {
    hub,
    worker,
    email,
    metrics,
    newConsumer,
    consumer,
    retention,
    app,
    async start() {
      await hub.start();
      await consumer.start();
      worker.start();
      retention.start();
    },
    /** Lets the consumer and the worker finish what they hold, then closes the hub and SMTP. */
    async stop() {
      await consumer.stop();
      await Promise.all([worker.stop(), retention.stop()]);
      await hub.stop();
      email.close();
    },
  };
}

export type NotificationRuntime = ReturnType<typeof createNotificationRuntime>;
