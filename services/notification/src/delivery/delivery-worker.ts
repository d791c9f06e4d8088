/**
 * Delivers stored notifications: takes due ones (a lease keeps other replicas off them), sends each
 * on its channel, and records the outcome. A failure is retried with exponential backoff
 * (RETRY_BASE_MS, doubling) until MAX_ATTEMPTS; then the notification stays failed until an admin
 * retries it. Woken after new notifications are stored; polls otherwise.
 */
import { PollingLoop } from "@platform/jobs";
import type { Logger } from "@platform/logging";
import { Counter, type Registry } from "prom-client";
import type { ChannelSender } from "../channels/channel.js";
import type { Channel } from "../config.js";
import { claimDue, markAttemptFailed, markSent, type NotificationDb } from "../store/notification.store.js";

export interface DeliveryWorkerOptions {
  db: NotificationDb;
  senders: Partial<Record<Channel, ChannelSender>>;
  logger: Logger;
  maxAttempts: number;
  retryBaseMs: number;
  intervalMs: number;
  registry?: Registry;
  batchSize?: number;
  /** How long a claimed notification is held before another replica may take it. */
  leaseMs?: number;
}

export class DeliveryWorker {
  private readonly loop: PollingLoop;
  private readonly outcomes: Counter<"channel" | "outcome">;

  constructor(private readonly options: DeliveryWorkerOptions) {
    this.outcomes = new Counter({
      name: "notification_deliveries_total",
      help: "Delivery attempts by channel and outcome",
      labelNames: ["channel", "outcome"] as const,
      registers: options.registry ? [options.registry] : [],
    });
    this.loop = new PollingLoop({
      name: "notification delivery",
      run: () => this.deliverDue(),
      intervalMs: options.intervalMs,
      logger: options.logger,
    });
  }

  start(): void {
    this.loop.start();
  }

  /** Deliver soon: called after new notifications were stored. */
  nudge(): void {
    this.loop.nudge();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Delivers what is due now; resolves to the number of notifications attempted. */
  async deliverDue(): Promise<number> {
    const { db, batchSize = 20, leaseMs = 60_000 } = this.options;
    const due = await claimDue(db, batchSize, leaseMs);
    await Promise.all(due.map((notification) => this.deliver(notification)));
    return due.length;
  }

  private async deliver(notification: Awaited<ReturnType<typeof claimDue>>[number]): Promise<void> {
    const { db, senders, logger, maxAttempts, retryBaseMs } = this.options;
    const log = logger.child({
      notificationId: notification.id,
      channel: notification.channel,
      eventId: notification.eventId,
    });
    const sender = senders[notification.channel];
    try {
      if (!sender) throw new Error(`channel ${notification.channel} is not enabled`);
      await sender(notification);
      await markSent(db, notification.id);
      this.outcomes.inc({ channel: notification.channel, outcome: "sent" });
    } catch (error) {
      const attempts = notification.attempts + 1;
      const reason = error instanceof Error ? error.message : String(error);
      const retryAt =
        attempts < maxAttempts ? new Date(Date.now() + retryBaseMs * 2 ** (attempts - 1)) : null;
      await markAttemptFailed(db, notification.id, reason, retryAt);
      this.outcomes.inc({ channel: notification.channel, outcome: retryAt ? "retry" : "failed" });
      if (retryAt) log.warn({ attempts, retryAt, reason }, "notification delivery failed; will retry");
      else log.error({ attempts, reason }, "notification delivery failed for good; an admin can retry it");
    }
  }
}
