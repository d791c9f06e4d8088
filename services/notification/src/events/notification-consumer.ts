/**
 * The `notification` consumer group on the order and inventory streams. For each event it stores
 * the notifications it gives rise to (one per channel; a redelivery stores nothing new, the unique
 * (event, channel) sees to that) and acknowledges only after that write. The events of one read are
 * stored with one statement, and what was stored goes straight to the delivery lanes of this
 * process, claimed for a lease: no query looks for it. An unknown type or an unreadable entry ends
 * in the dead-letter stream.
 */
import { ConsumerGroup, type ConsumerMetrics } from "@platform/events";
import type { Logger } from "@platform/logging";
import type { Redis } from "ioredis";
import type { Channel } from "../config.js";
import type { DeliveryWorker } from "../delivery/delivery-worker.js";
import { type NewNotification, notificationsFor } from "../domain/notification.js";
import { insertNotifications, type NotificationDb } from "../store/notification.store.js";

export interface NotificationConsumerOptions {
  redis: Redis;
  db: NotificationDb;
  worker: DeliveryWorker;
  streams: string[];
  group: string;
  customerChannels: Channel[];
  adminEmails: string[];
  maxDeliveries: number;
  claimIdleMs: number;
  blockMs: number;
  logger: Logger;
  metrics?: ConsumerMetrics;
  consumer?: string;
}

export function notificationConsumer(options: NotificationConsumerOptions): ConsumerGroup {
  const { db, worker, customerChannels, adminEmails } = options;
  const audience = { customerChannels, adminEmails };
  /** Stores them, the ones this process's lanes have room for claimed and handed to them. */
  const store = async (notifications: NewNotification[]) => {
    const handout = worker.handout();
    const stored = await insertNotifications(db, notifications, {
      leaseMs: worker.leaseMs,
      claim: handout.take,
    });
    handout.deliver(stored);
    return stored.length;
  };
  return new ConsumerGroup({
    redis: options.redis,
    streams: options.streams,
    group: options.group,
    consumer: options.consumer,
    logger: options.logger,
    metrics: options.metrics,
    maxDeliveries: options.maxDeliveries,
    claimIdleMs: options.claimIdleMs,
    blockMs: options.blockMs,
    claimIntervalMs: Math.min(5_000, options.claimIdleMs),
    handler: async (event, context) => {
      const stored = await store(notificationsFor(event, audience));
      context.logger.debug({ stored }, "notifications stored");
    },
    batchHandler: async (batch) => {
      await store(batch.flatMap(({ event }) => notificationsFor(event, audience)));
    },
  });
}
