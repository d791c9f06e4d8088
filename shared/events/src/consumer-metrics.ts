/**
 * Prometheus metrics of the event consumers of a process: processed / failed / dead-lettered
 * counters and, read from Redis at scrape time, each group's lag and pending count.
 */
import { reusedFor } from "@platform/jobs";
import type { Redis } from "ioredis";
import { Counter, Gauge, type Registry } from "prom-client";

type Labels = "stream" | "group";

export class ConsumerMetrics {
  readonly processed: Counter<Labels | "type">;
  readonly failed: Counter<Labels>;
  readonly deadLettered: Counter<Labels>;
  /** Per stream and group, its XINFO GROUPS entry: one read serves both gauges of a scrape. */
  private readonly sources = new Map<
    string,
    { stream: string; group: string; info: () => Promise<Record<string, unknown> | undefined> }
  >();

  constructor(registry: Registry) {
    const registers = [registry];
    this.processed = new Counter({
      name: "events_processed_total",
      help: "Events handled and acknowledged",
      labelNames: ["stream", "group", "type"] as const,
      registers,
    });
    this.failed = new Counter({
      name: "events_failed_total",
      help: "Handler failures (the entry stays pending and is retried)",
      labelNames: ["stream", "group"] as const,
      registers,
    });
    this.deadLettered = new Counter({
      name: "events_dead_lettered_total",
      help: "Entries moved to the dead-letter stream after too many deliveries",
      labelNames: ["stream", "group"] as const,
      registers,
    });
    const sources = this.sources;
    // Every group at once, each bounded: Redis slow or gone silent leaves the gauges without
    // values instead of holding the scrape past Prometheus's timeout (/ready says why).
    const groupInfo = async (field: "lag" | "pending", gauge: Gauge<Labels>) => {
      const read = await Promise.all(
        [...sources.values()].map(async ({ stream, group, info }) => ({ stream, group, info: await info() })),
      );
      gauge.reset();
      for (const { stream, group, info } of read) {
        const value = info?.[field];
        if (typeof value === "number") gauge.set({ stream, group }, value);
      }
    };
    new Gauge({
      name: "events_consumer_lag",
      help: "Entries in the stream not yet delivered to the group (XINFO GROUPS lag)",
      labelNames: ["stream", "group"] as const,
      registers,
      async collect() {
        await groupInfo("lag", this);
      },
    });
    new Gauge({
      name: "events_pending",
      help: "Entries delivered to the group but not yet acknowledged",
      labelNames: ["stream", "group"] as const,
      registers,
      async collect() {
        await groupInfo("pending", this);
      },
    });
  }

  /** Called by a consumer group when it starts, so its lag is reported. */
  watch(redis: Redis, stream: string, group: string): void {
    const info = reusedFor(1_000, 2_000, () => readGroupInfo(redis, stream, group));
    this.sources.set(`${stream}\u0000${group}`, { stream, group, info });
  }
}

async function readGroupInfo(redis: Redis, stream: string, group: string) {
  const groups = (await redis.xinfo("GROUPS", stream)) as unknown[][];
  for (const entry of groups) {
    const info: Record<string, unknown> = {};
    for (let i = 0; i + 1 < entry.length; i += 2) info[String(entry[i])] = entry[i + 1];
    if (info.name === group) return info;
  }
  return undefined;
}
