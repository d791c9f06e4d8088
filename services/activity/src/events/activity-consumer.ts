/**
 * The `activity` consumer group on the order and inventory streams: every event becomes one
 * document. The entry is acknowledged only after MongoDB has it; a redelivered event finds its
 * document already there (its id is the _id) and changes nothing; an unknown type or an
 * unreadable entry fails every time and ends in the stream's dead-letter stream.
 */
import { ConsumerGroup, type ConsumerMetrics } from "@platform/events";
import type { Logger } from "@platform/logging";
import type { Redis } from "ioredis";
import { toActivityEntry } from "../domain/activity.js";
import { type ActivityCollection, recordEntries, recordEntry } from "../store/activity.store.js";

export interface ActivityConsumerOptions {
  redis: Redis;
  entries: ActivityCollection;
  streams: string[];
  group: string;
  maxDeliveries: number;
  claimIdleMs: number;
  blockMs: number;
  logger: Logger;
  metrics?: ConsumerMetrics;
  consumer?: string;
}

export function activityConsumer(options: ActivityConsumerOptions): ConsumerGroup {
  const { entries, logger } = options;
  return new ConsumerGroup({
    redis: options.redis,
    streams: options.streams,
    group: options.group,
    consumer: options.consumer,
    logger,
    metrics: options.metrics,
    maxDeliveries: options.maxDeliveries,
    claimIdleMs: options.claimIdleMs,
    blockMs: options.blockMs,
    claimIntervalMs: Math.min(5_000, options.claimIdleMs),
    handler: async (event, context) => {
      const outcome = await recordEntry(entries, toActivityEntry(event, context.stream));
      context.logger.debug({ outcome }, "activity recorded");
    },
    // The events of one read in one insertMany.
    batchHandler: async (batch) => {
      await recordEntries(
        entries,
        batch.map(({ event, context }) => toActivityEntry(event, context.stream)),
      );
    },
  });
}
