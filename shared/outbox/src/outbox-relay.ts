/**
 * Publishes a service's Postgres outbox to Redis Streams. Each pass locks the oldest unpublished
 * rows (FOR UPDATE SKIP LOCKED, so replicas share the work), appends them with pipelined XADDs (one
 * round trip per run of rows bound for the same stream) and marks the published ones in one UPDATE,
 * in the same transaction. When a write fails the pass stops and commits what it marked: the rest
 * waits in the outbox for a later pass (the loop backs off while Redis is down). A crash between the
 * XADD and the commit publishes those rows again with the same event ids, which consumers skip.
 *
 * Besides: published rows are pruned after a retention period (and whatever else the service asks
 * to prune on that schedule), and the streams it writes are trimmed without dropping anything a
 * consumer group still owes (trimStream). A nudge after a commit starts a pass at once.
 */
import { type DomainEvent, publishEvent, toStreamFields, trimStream } from "@platform/events";
import { PollingLoop } from "@platform/jobs";
import type { Logger } from "@platform/logging";
import { handoffSpan, SpanKind } from "@platform/telemetry";
import type { Redis } from "ioredis";
import {
  lockUnpublished,
  markPublished,
  type OutboxDb,
  type OutboxRow,
  prunePublished,
} from "./outbox.store.js";

export interface OutboxRelayOptions {
  /** For the logs: "order outbox relay". */
  name: string;
  db: OutboxDb;
  redis: Redis;
  logger: Logger;
  pollMs: number;
  batchSize?: number;
  /** How long published rows are kept. */
  retentionMs: number;
  /** More pruning on the same schedule (idempotency keys, say); resolves to what it removed. */
  prune?: () => Promise<Record<string, number>>;
  /** The streams this relay writes, trimmed towards streamMaxLen entries. */
  streams: readonly string[];
  streamMaxLen: number;
  /** Work that must happen before events go out (copying a change to Redis, say); idempotent. */
  beforePublish?: (events: DomainEvent[]) => Promise<void>;
}

const HOUSEKEEPING_EVERY_MS = 60_000;
const TRIM_EVERY_MS = 5_000;

export class OutboxRelay {
  private readonly loop: PollingLoop;
  private lastPruneAt = 0;
  private lastTrimAt = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.loop = new PollingLoop({
      name: options.name,
      intervalMs: options.pollMs,
      logger: options.logger,
      // Nudged after every commit: wait a moment so one pass publishes the events of many.
      nudgeDelayMs: 20,
      run: async () => {
        try {
          // Only a full batch suggests that more is waiting; otherwise the outbox is drained.
          const published = await this.relayOnce();
          return published >= (options.batchSize ?? 100) ? published : 0;
        } finally {
          // Each needs one store only: pruning goes on while Redis is away, trimming while Postgres is.
          await this.pruneIfDue().catch((err) => options.logger.warn({ err }, "outbox pruning failed"));
          await this.trimIfDue().catch((err) => options.logger.warn({ err }, "stream trimming failed"));
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
    const { db, batchSize = 100 } = this.options;
    let failure: unknown;
    const published = await db.transaction().execute(async (trx) => {
      const done: number[] = [];
      for (const run of runsByStream(await lockUnpublished(trx, batchSize))) {
        const outcome = await this.publishRun(run);
        done.push(...outcome.published);
        if (outcome.failure) {
          failure = outcome.failure;
          break; // commit what went out; this run's rest and the later runs wait for the next pass
        }
      }
      await markPublished(trx, done);
      return done.length;
    });
    if (failure) throw failure;
    return published;
  }

  /** XADDs one run of rows for one stream in a single round trip; answers which went out. */
  private async publishRun(run: OutboxRow[]): Promise<{ published: number[]; failure?: unknown }> {
    // With tracing on, each event's relay is a span of the trace it was made in, and the entry
    // carries that span's context: its consumers continue the trace from the relay.
    const handoffs = run.map((row) =>
      handoffSpan(`relay ${row.event.type}`, row.event.traceparent, {
        kind: SpanKind.PRODUCER,
        attributes: { "messaging.destination.name": row.stream },
      }),
    );
    const outcome = await this.publishEvents(
      run.map((row, i) => {
        const handoff = handoffs[i];
        return handoff ? { ...row, event: { ...row.event, traceparent: handoff.traceparent } } : row;
      }),
    );
    const published = new Set(outcome.published);
    for (const [i, handoff] of handoffs.entries()) {
      handoff?.end(published.has(run[i]?.id as number) ? undefined : (outcome.failure ?? "not published"));
    }
    return outcome;
  }

  /** The XADDs of publishRun, after the beforePublish hook. */
  private async publishEvents(run: OutboxRow[]): Promise<{ published: number[]; failure?: unknown }> {
    const { redis, beforePublish } = this.options;
    try {
      await beforePublish?.(run.map((row) => row.event));
    } catch (failure) {
      return { published: [], failure };
    }
    if (run.length === 1) {
      const [row] = run as [OutboxRow];
      return publishEvent(redis, row.stream, row.event).then(
        () => ({ published: [row.id] }),
        (failure) => ({ published: [], failure }),
      );
    }
    const pipeline = redis.pipeline();
    for (const row of run) pipeline.xadd(row.stream, "*", ...toStreamFields(row.event));
    let results: Array<[Error | null, unknown]>;
    try {
      results = (await pipeline.exec()) ?? [];
    } catch (failure) {
      return { published: [], failure };
    }
    const published = run.filter((_, i) => results[i] && !results[i][0]).map((row) => row.id);
    const failure =
      results.find(([error]) => error)?.[0] ??
      (results.length < run.length ? new Error("XADD pipeline cut short") : undefined);
    return failure ? { published, failure } : { published };
  }

  private async pruneIfDue(): Promise<void> {
    if (Date.now() - this.lastPruneAt < HOUSEKEEPING_EVERY_MS) return;
    this.lastPruneAt = Date.now();
    const { db, retentionMs, prune, logger } = this.options;
    const pruned = {
      events: await prunePublished(db, new Date(Date.now() - retentionMs)),
      ...(await prune?.()),
    };
    if (Object.values(pruned).some((n) => n > 0))
      logger.info(pruned, "pruned published events and expired records");
  }

  private async trimIfDue(): Promise<void> {
    if (Date.now() - this.lastTrimAt < TRIM_EVERY_MS) return;
    this.lastTrimAt = Date.now();
    const { redis, streams, streamMaxLen } = this.options;
    for (const stream of streams) await trimStream(redis, stream, streamMaxLen);
  }
}

/** Consecutive rows bound for the same stream, in outbox order. */
function runsByStream(rows: OutboxRow[]): OutboxRow[][] {
  const runs: OutboxRow[][] = [];
  for (const row of rows) {
    const last = runs.at(-1);
    if (last && last[0]?.stream === row.stream) last.push(row);
    else runs.push([row]);
  }
  return runs;
}
