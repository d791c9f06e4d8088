/**
 * Publishes the outbox to Redis Streams. Each pass locks the oldest unpublished rows
 * (FOR UPDATE SKIP LOCKED, so replicas share the work), XADDs them in order, and marks each as
 * published right after its XADD, in the same transaction. When a write fails the pass stops and
 * commits what it marked: the rest waits in the outbox and goes out on a later pass (backoff while
 * Redis is down). A nudge after a commit starts a pass at once; polling is the fallback.
 * Published rows are pruned after a retention period, as are old idempotency keys.
 */
import { publishEvent } from "@platform/events";
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
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private failures = 0;
  private lastPruneAt = 0;

  constructor(private readonly options: OrderOutboxRelayOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Relay soon: called after a transaction that wrote to the outbox. */
  nudge(): void {
    if (!this.stopped && this.failures === 0) this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
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

  private async pass(): Promise<void> {
    const { logger } = this.options;
    try {
      let published: number;
      do {
        published = await this.relayOnce();
      } while (published > 0 && !this.stopped);
      if (this.failures > 0) logger.info({ failures: this.failures }, "outbox relay recovered");
      this.failures = 0;
    } catch (err) {
      this.failures++;
      logger.warn(
        { err, failures: this.failures },
        "outbox relay could not publish; the events wait in the outbox",
      );
    }
    // Pruning needs only Postgres: it goes on while the stream cannot be written.
    await this.pruneIfDue().catch((err) => logger.warn({ err }, "outbox pruning failed"));
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

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.running) return this.schedule(10);
      this.running = this.pass().finally(() => {
        this.running = undefined;
        // Back off while publishing fails: 0.5 s, 1 s, 2 s, ... up to 30 s.
        const backoff = this.failures > 0 ? Math.min(30_000, 250 * 2 ** this.failures) : this.options.pollMs;
        if (!this.stopped) this.schedule(backoff);
      });
    }, delayMs);
  }
}
