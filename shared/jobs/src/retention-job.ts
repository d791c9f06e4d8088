/**
 * A store's retention: once an hour (and at start), deletes what is older than `days` days, in
 * batches until none is left. With `days` 0 it does nothing: the data is a record people keep.
 */
import type { Logger } from "@platform/logging";
import { PollingLoop } from "./polling-loop.js";

export interface RetentionJobOptions {
  name: string;
  days: number;
  /** Deletes a batch of what is older than the cutoff; resolves to how many went (0: done). */
  prune: (before: Date) => Promise<number>;
  logger: Logger;
  intervalMs?: number;
}

const DAY_MS = 86_400_000;

export function retentionJob({ name, days, prune, logger, intervalMs = 3_600_000 }: RetentionJobOptions) {
  if (days === 0) return { start() {}, stop: async () => {} };
  return new PollingLoop({
    name,
    intervalMs,
    logger,
    run: async () => {
      const pruned = await prune(new Date(Date.now() - days * DAY_MS));
      if (pruned > 0) logger.info({ job: name, pruned, days }, "pruned past the retention");
      return pruned;
    },
  });
}
