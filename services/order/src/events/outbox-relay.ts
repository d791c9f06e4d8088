/**
 * Publishes the outbox to Redis Streams. Each pass locks the oldest unpublished rows
 * (FOR UPDATE SKIP LOCKED, so replicas share the work), XADDs them in order, and marks each as
 * published right after its XADD, in the same transaction. When a write fails the pass stops and
 * commits what it marked: the rest waits in the outbox and goes out on a later pass (the loop backs
 * off while Redis is down). A nudge after a commit starts a pass at once; polling is the fallback.
 * Published rows are pruned after a retention period, as are old idempotency keys.
 */
import { publishEvent } from "@platform/events";
import { PollingLoop } from "@platform/jobs";
import type { Logger } from "@platform/logging";
import type { Redis } from "ioredis";
import { pruneKeys } from "../store/idempotency.store.js";
import type { OrderDb } from "../store/order.store.js";
import { lockUnpublished, markPublished, prunePublished } from "../store/outbox.store.js";

export interface OrderOutboxRelayOptions {
  db: OrderDb;
  redis: Redis;
  logger: Logger;
  streamMaxLen: number;
  pollMs: number;
  batchSize?: number;
  outboxRetentionMs: number;
  idempotencyRetentionMs: number;
}

const PRUNE_EVERY_MS = 60_000;

export class OrderOutboxRelay {
  private readonly loop: PollingLoop;
  private lastPruneAt = 0;

  constructor(private readonly options: OrderOutboxRelayOptions) {
    this.loop = new PollingLoop({
      name: "order outbox relay",
      intervalMs: options.pollMs,
      logger: options.logger,
      run: async () => {
        try {
          return await this.relayOnce();
        } finally {
          // Pruning needs only Postgres: it goes on while the stream cannot be written.
          await this.pruneIfDue().catch((err) => options.logger.warn({ err }, "outbox pruning failed"));
        }
      },
    });
  }

  start(): void {
    this.loop.start();
  }

  /** Relay soon: called after a transaction that wrote to the outbox (ignored while backing off). */
  nudge(): void {
    this.loop.nudge();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass: resolves to the number of events published; throws if a write failed. */
  async relayOnce(): Promise<number> {
    const { db, redis, streamMaxLen, batchSize = 100 } = this.options;
    let published = 0;
    let failure: unknown;
    await db.transaction().execute(async (trx) => {
      for (const row of await lockUnpublished(trx, batchSize)) {
        try {
          await publishEvent(redis, row.stream, row.event, { maxLen: streamMaxLen });
        } catch (error) {
          failure = error;
          return; // commit what is marked; this row and the rest stay for the next pass
        }
        await markPublished(trx, row.id);
        published++;
      }
    });
    if (failure) throw failure;
    return published;
  }

  private async pruneIfDue(): Promise<void> {
    if (Date.now() - this.lastPruneAt < PRUNE_EVERY_MS) return;
    this.lastPruneAt = Date.now();
    const { db, outboxRetentionMs, idempotencyRetentionMs, logger } = this.options;
    const events = await prunePublished(db, new Date(Date.now() - outboxRetentionMs));
    const keys = await pruneKeys(db, new Date(Date.now() - idempotencyRetentionMs));
    if (events + keys > 0)
      logger.info({ events, keys }, "pruned published events and expired idempotency keys");
  }
}
