/**
 * Delivers stored notifications: one lane per enabled channel (delivery-lane.ts), sharing a batched
 * outcome writer and the delivery metrics. Woken after new notifications are stored; each lane
 * polls otherwise.
 */
import type { Logger } from "@platform/logging";
import type { Registry } from "prom-client";
import type { ChannelSender } from "../channels/channel.js";
import type { Channel } from "../domain/notification.js";
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

  /**
   * One check per channel of this process for /ready: it fails while the channel is unreachable
   * (the SMTP server away, a webhook endpoint refusing connections).
   */
  channelChecks(): Record<string, () => Promise<void>> {
    return Object.fromEntries(
      [...this.lanes].map(([channel, lane]) => [
        channel,
        async () => {
          if (lane.unreachable) throw new Error(`${channel} unreachable`);
        },
      ]),
    );
  }

  /** Whether this service sends on the channel (it has a lane for it). */
  sendsOn(channel: Channel): boolean {
    return this.lanes.has(channel);
  }

  /** Look for due notifications soon (an admin's retry made one due). */
  nudge(): void {
    for (const lane of this.lanes.values()) lane.nudge();
  }

  /**
   * Handing new notifications to the lanes, in two steps around their insert: take() says, per
   * notification, whether its lane has room for it (then it is stored claimed for `leaseMs`),
   * deliver() gives the lanes the claimed ones that were stored. A notification a lane has no room
   * for is stored due, and its lane is nudged to claim it once it has room: a lane's hand never
   * holds more than its batch, however fast events come.
   */
  handout() {
    const room = new Map<Channel, number>();
    const overflow = new Set<Channel>();
    return {
      take: (notification: { channel: Channel }): boolean => {
        const lane = this.lanes.get(notification.channel);
        if (!lane) return false; // another replica's channel
        const left = room.get(notification.channel) ?? lane.room();
        if (left > 0) {
          room.set(notification.channel, left - 1);
          return true;
        }
        overflow.add(notification.channel);
        return false;
      },
      deliver: (stored: readonly NotificationRow[]): void => {
        const now = Date.now();
        for (const row of stored) {
          if (row.nextAttemptAt.getTime() > now) this.lanes.get(row.channel)?.offer(row);
        }
        for (const channel of overflow) this.lanes.get(channel)?.nudge();
      },
    };
  }

  /** Stops every lane (sends in flight finish) and writes the last outcomes. */
  async stop(): Promise<void> {
    await Promise.all([...this.lanes.values()].map((lane) => lane.stop()));
    await this.writer.close();
  }
}
