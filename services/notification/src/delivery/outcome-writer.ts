/**
 * Batches the outcomes of delivery attempts: they are written together a few milliseconds after
 * the first one, or as soon as enough have gathered, in two statements per batch. A batch that
 * cannot be written (Postgres restarting) is kept and written again with backoff, so a message is
 * not sent a second time merely because its outcome could not be stored at once. What a crash loses
 * is at most the batch in hand: those notifications come due again when their lease ends and are
 * sent again (for email, with the same Message-ID).
 */
import { isDependencyFailure } from "@platform/errors";
import { backoffDelay } from "@platform/jobs";
import type { Logger } from "@platform/logging";
import { type NotificationDb, type Outcome, recordOutcomes } from "../store/notification.store.js";

export interface OutcomeWriterOptions {
  db: NotificationDb;
  logger: Logger;
  /** Longest an outcome waits to be written. */
  flushMs?: number;
  /** Write at once when this many have gathered. */
  maxBatch?: number;
}

export class OutcomeWriter {
  private batch: Outcome[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The writes in order, one batch after the other; it never rejects. */
  private chain: Promise<void> = Promise.resolve();
  private stopping = false;
  private retrying = false;
  /** Notifications whose outcome is known here but not yet stored. */
  private readonly unwritten = new Set<string>();

  constructor(private readonly options: OutcomeWriterOptions) {}

  /** Queues an outcome to be written soon. */
  record(outcome: Outcome): void {
    const { flushMs = 10, maxBatch = 200 } = this.options;
    this.batch.push(outcome);
    this.unwritten.add(outcome.id);
    if (this.batch.length >= maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), flushMs);
  }

  /** Writes what is queued now; resolves once every outcome queued so far is written. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.batch;
    this.batch = [];
    if (batch.length > 0) this.chain = this.chain.then(() => this.write(batch));
    return this.chain;
  }

  /**
   * Whether this notification's outcome still waits to be stored. Its lease may run out meanwhile
   * (a long Postgres outage) and a claim hand it out again: it must not be sent a second time.
   */
  isUnwritten(id: string): boolean {
    return this.unwritten.has(id);
  }

  /** Writes what is queued and stops retrying a write that keeps failing. */
  async close(): Promise<void> {
    const written = this.flush();
    this.stopping = true;
    await written;
  }

  private async write(batch: Outcome[]): Promise<void> {
    const { db, logger } = this.options;
    for (let failures = 0; ; failures++) {
      try {
        await recordOutcomes(db, batch);
        this.written(batch);
        this.retrying = false;
        return;
      } catch (err) {
        if (!isDependencyFailure(err)) {
          this.retrying = false; // Postgres answers: claims need not wait for this batch
          return this.writeOneByOne(batch, err);
        }
        if (this.stopping) {
          logger.error(
            { err, outcomes: batch.length },
            "delivery outcomes lost at shutdown; they will be retried",
          );
          return;
        }
        // Short pauses: while an outcome waits, a crash of this process would send its message again.
        const delayMs = backoffDelay(100, failures, 1_000);
        logger.warn({ err, outcomes: batch.length, delayMs }, "could not record delivery outcomes; retrying");
        this.retrying = true;
        await Bun.sleep(delayMs);
      }
    }
  }

  /** A batch refused for a reason of its own: each outcome alone, so one bad row blocks nothing. */
  private async writeOneByOne(batch: Outcome[], cause: unknown): Promise<void> {
    const { db, logger } = this.options;
    logger.error(
      { err: cause, outcomes: batch.length },
      "a batch of delivery outcomes was refused; writing them one by one",
    );
    for (const outcome of batch) {
      try {
        await recordOutcomes(db, [outcome]);
      } catch (err) {
        // Not recorded: the notification comes due again when its lease ends.
        logger.error({ err, notificationId: outcome.id }, "a delivery outcome could not be recorded");
      }
      this.written([outcome]);
    }
  }

  private written(batch: Outcome[]): void {
    for (const { id } of batch) this.unwritten.delete(id);
  }

  /** Whether outcomes wait for a write that failed (Postgres away): claims should wait too. */
  get backlogged(): boolean {
    return this.retrying;
  }
}
