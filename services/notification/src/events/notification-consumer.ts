/**
 * The `notification` consumer group on the order, inventory and payment streams. For each event it
 * stores the notifications it gives rise to (one per channel; a redelivery stores nothing new, the
 * unique (event, channel) sees to that) and acknowledges only after that write. The events of one
 * read are stored with one statement, and what was stored goes straight to the delivery lanes of
 * this process, claimed for a lease: no query looks for it. An unknown type or an unreadable entry
 * ends in the dead-letter stream.
 */
import { ConsumerGroup, type ConsumerGroupSettings } from "@platform/events";
import type { DeliveryWorker } from "../delivery/delivery-worker.js";
import { type Channel, type NewNotification, notificationsFor } from "../domain/notification.js";
import { insertNotifications, type NotificationDb } from "../store/notification.store.js";

export interface NotificationConsumerOptions extends ConsumerGroupSettings {
  db: NotificationDb;
  worker: DeliveryWorker;
  customerChannels: Channel[];
  adminEmails: string[];
}

export function notificationConsumer({
  db,
  worker,
  customerChannels,
  adminEmails,
  ...settings
}: NotificationConsumerOptions): ConsumerGroup {
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
    ...settings,
    handler: async (event, context) => {
      const stored = await store(notificationsFor(event, audience));
      context.logger.debug({ stored }, "notifications stored");
    },
    batchHandler: async (batch) => {
      await store(batch.flatMap(({ event }) => notificationsFor(event, audience)));
    },
  });
}
