/**
 * Delivers stored notifications: one lane per enabled channel (delivery-lane.ts), sharing a batched
 * outcome writer and the delivery metrics. Woken after new notifications are stored; each lane
 * polls otherwise.
 */
import type { Logger } from "@platform/logging";
import type { Registry } from "prom-client";
import type { ChannelSender } from "../channels/channel.js";
import type { Channel } from "../config.js";
import type { NotificationDb } from "../store/notification.store.js";
import type { NotificationRow } from "../store/notification.table.js";
import { DeliveryLane } from "./delivery-lane.js";
import { DeliveryMetrics } from "./delivery-metrics.js";
import { OutcomeWriter } from "./outcome-writer.js";

export interface DeliveryWorkerOptions {
  db: NotificationDb;
  senders: Partial<Record<Channel, ChannelSender>>;
  logger: Logger;
  /** Sends in flight at once, per channel. */
  concurrency: Record<Channel, number>;
  maxAttempts: number;
  retryBaseMs: number;
  intervalMs: number;
  registry?: Registry;
  /** Notifications claimed per query, per lane. */
  batchSize?: number;
  /** How long a claimed notification is held before another replica may take it. */
  leaseMs?: number;
}

export class DeliveryWorker {
  private readonly lanes = new Map<Channel, DeliveryLane>();
  private readonly writer: OutcomeWriter;
  /** How long notifications handed to deliver() are claimed for this process. */
  readonly leaseMs: number;

  constructor(options: DeliveryWorkerOptions) {
    const { db, senders, logger, batchSize = 100, leaseMs = 60_000 } = options;
    this.leaseMs = leaseMs;
    this.writer = new OutcomeWriter({ db, logger });
    const metrics = new DeliveryMetrics(options.registry, db);
    for (const [channel, sender] of Object.entries(senders) as Array<[Channel, ChannelSender]>) {
      this.lanes.set(
        channel,
        new DeliveryLane({
          channel,
          sender,
          db,
          writer: this.writer,
          metrics,
          logger,
          concurrency: options.concurrency[channel],
          batchSize: Math.max(batchSize, options.concurrency[channel]),
          leaseMs,
          maxAttempts: options.maxAttempts,
          retryBaseMs: options.retryBaseMs,
          intervalMs: options.intervalMs,
        }),
      );
    }
  }

  start(): void {
    for (const lane of this.lanes.values()) lane.start();
  }

  /** Look for due notifications soon (an admin's retry made one due). */
  nudge(): void {
    for (const lane of this.lanes.values()) lane.nudge();
  }

  /**
   * Notifications this process has just stored, claimed for `leaseMs`: each goes to its channel's
   * lane at once. One of a channel this replica does not serve comes due for others when the lease ends.
   */
  deliver(notifications: readonly NotificationRow[]): void {
    for (const notification of notifications) this.lanes.get(notification.channel)?.offer(notification);
  }

  /** Stops every lane (sends in flight finish) and writes the last outcomes. */
  async stop(): Promise<void> {
    await Promise.all([...this.lanes.values()].map((lane) => lane.stop()));
    await this.writer.close();
  }
}
