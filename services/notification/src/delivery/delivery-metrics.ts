/**
 * The delivery metrics on /metrics: attempts by channel and outcome, the order → sent lag by
 * channel (from the event's occurredAt to the moment the channel took the message), and, read from
 * Postgres at scrape time, the backlog of pending and failed notifications by channel.
 */
import { reusedFor } from "@platform/jobs";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { backlog, type NotificationDb } from "../store/notification.store.js";

export type DeliveryOutcome = "sent" | "retry" | "failed" | "channel_unavailable";

export class DeliveryMetrics {
  readonly deliveries: Counter<"channel" | "outcome">;
  readonly lag: Histogram<"channel">;

  constructor(registry: Registry | undefined, db: NotificationDb) {
    const registers = registry ? [registry] : [];
    this.deliveries = new Counter({
      name: "notification_deliveries_total",
      help: "Delivery attempts by channel and outcome",
      labelNames: ["channel", "outcome"] as const,
      registers,
    });
    this.lag = new Histogram({
      name: "notification_lag_seconds",
      help: "From the event (occurredAt) to the notification sent, by channel",
      labelNames: ["channel"] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers,
    });
    // Postgres away or slow: the scrape still answers, without the backlog (/ready says why).
    const readBacklog = reusedFor(1_000, 2_000, () => backlog(db));
    new Gauge({
      name: "notification_backlog",
      help: "Notifications pending or failed, by channel and status",
      labelNames: ["channel", "status"] as const,
      registers,
      async collect() {
        this.reset();
        for (const { channel, status, count } of (await readBacklog()) ?? []) {
          this.set({ channel, status }, count);
        }
      },
    });
  }

  sent(channel: string, occurredAt: unknown): void {
    this.deliveries.inc({ channel, outcome: "sent" });
    const at = typeof occurredAt === "string" ? Date.parse(occurredAt) : Number.NaN;
    if (!Number.isNaN(at)) this.lag.observe({ channel }, Math.max(0, Date.now() - at) / 1000);
  }
}
