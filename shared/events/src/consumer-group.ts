/**
 * A Redis Streams consumer-group runner (ARCHITECTURE §3):
 * - reads with XREADGROUP ... BLOCK on a connection of its own (a blocking read holds it);
 * - acknowledges an entry only after the handler resolved, so a crash mid-message loses nothing;
 * - reclaims entries left pending by a dead or failing consumer (XAUTOCLAIM past an idle time);
 * - after maxDeliveries moves an entry to `<stream>:dlq` with its original id, stream, group and
 *   last error, and acknowledges it, so one poison entry never blocks the ones behind it;
 * - expects its handler to be idempotent by event id (a redelivery, a replayed dead letter): every
 *   consumer's store is keyed so that the second time changes nothing;
 * - when the handler fails because a dependency is away (Postgres, MongoDB, Redis restarting), it
 *   retries the same entry in place with backoff instead of counting it towards the dead-letter
 *   stream: an outage delays events, it never dead-letters them;
 * - records an entry trimmed from the stream before the group processed it in the dead-letter
 *   stream (without its fields, which are gone) instead of dropping it silently;
 * - on stop(), breaks the blocking read, finishes the entries in hand (during an outage it leaves
 *   them pending for another consumer rather than wait for it) and leaves the group only when it
 *   owns no pending entries (deleting a consumer drops its pending entries);
 * - deletes the group's consumers that are gone: holding nothing, idle past forgetConsumersIdleMs
 *   (an hour). On Redis before 7.2 a consumer's idle time counts from its last read that returned
 *   entries, so a live consumer of a quiet stream is deleted too and comes back with its next entry.
 */
import { hostname } from "node:os";
import { isDependencyFailure } from "@platform/errors";
import { backoffDelay, within } from "@platform/jobs";
import type { Logger } from "@platform/logging";
import { type LuaScript, luaScript } from "@platform/redis";
import { type Handoff, handoffSpan, runInContext, SpanKind } from "@platform/telemetry";
import type { Redis } from "ioredis";
import type { ConsumerMetrics } from "./consumer-metrics.js";
import { type DomainEvent, fromStreamFields } from "./envelope.js";
import { streamKeys } from "./stream-keys.js";

export interface EventContext {
  stream: string;
  entryId: string;
  /** 1 on the first delivery. */
  deliveries: number;
  logger: Logger;
}

export type EventHandler = (event: DomainEvent, context: EventContext) => Promise<void>;

/**
 * Handles the new events of one read at once (one write for all of them, say). It must be
 * all-or-nothing and idempotent like `handler`: when it fails for a reason other than a dependency
 * being away, every event of the batch is handled again on its own through `handler`, so a poison
 * event fails alone and the others are not held back.
 */
export type BatchHandler = (
  batch: ReadonlyArray<{ event: DomainEvent; context: EventContext }>,
) => Promise<void>;

export interface ConsumerGroupOptions {
  /** Shared connection for XACK, XAUTOCLAIM, ...; the blocking read gets a duplicate of it. */
  redis: Redis;
  streams: readonly string[];
  group: string;
  /** Unique within the group; defaults to host-pid-random. */
  consumer?: string;
  handler: EventHandler;
  /** Optional: the events of one read handled together (see BatchHandler). */
  batchHandler?: BatchHandler;
  logger: Logger;
  metrics?: ConsumerMetrics;
  /** Deliveries before an entry is dead-lettered. */
  maxDeliveries?: number;
  blockMs?: number;
  batchSize?: number;
  /** An entry pending this long is taken over (from a dead consumer, or retried after a failure). */
  claimIdleMs?: number;
  /** How often to look for such entries. */
  claimIntervalMs?: number;
  /** Where a new group starts: "0" (everything in the stream) or "$" (only new entries). */
  startId?: string;
  /**
   * A handler still running after this long is given up on and retried like an outage: a store
   * that vanished mid-operation can leave its promise hanging forever (seen with a MongoDB server
   * stopped under load), and one hung event must not stop the group.
   */
  handlerTimeoutMs?: number;
  /**
   * A consumer of the group that holds nothing and has not read for this long is gone (killed, or
   * stopped while it held entries that were reclaimed since): it is deleted from the group, which
   * would otherwise list every process that ever ran. (Redis before 7.2 counts idle time from the
   * last read that returned entries: a live consumer of a quiet stream is deleted too, harmlessly.)
   */
  forgetConsumersIdleMs?: number;
}

/** How often a consumer looks for departed ones to delete (forgetConsumersIdleMs). */
const DEPARTED_CHECK_MS = 60_000;

type Entry = [id: string, fields: string[] | null];
type ReadReply = Array<[stream: string, entries: Entry[]]> | null;

const LAST_ERROR_TTL_SECONDS = 7 * 24 * 3600;
/** Retries of an entry whose handler found a dependency away: first pause, and the longest. */
const OUTAGE_RETRY_MS = 200;
const OUTAGE_RETRY_MAX_MS = 5_000;
/**
 * What a service's consumer takes besides its own collaborators: the group, where it reads, and how
 * it retries. The service adds its handler.
 */
export type ConsumerGroupSettings = Omit<ConsumerGroupOptions, "handler" | "batchHandler">;

/** What a dead letter says of an entry that was trimmed from the stream before it was processed. */
export const TRIMMED_ERROR = "the entry was trimmed from the stream before the group processed it";

export class ConsumerGroup {
  readonly consumer: string;
  private readonly options: Required<Omit<ConsumerGroupOptions, "metrics" | "consumer" | "batchHandler">> &
    Pick<ConsumerGroupOptions, "metrics" | "batchHandler">;
  private readonly blocking: Redis;
  private closing = false;
  /**
   * Stopping met an outage: every further try of an event would wait for it (up to a handler's
   * timeout each), so what the read holds beyond it stays pending for another consumer.
   */
  private outageAtStop = false;
  private loop: Promise<void> | undefined;
  private lastClaimAt = 0;
  /** Ends an outage pause early when stop() is called. */
  private wake: (() => void) | undefined;
  /**
   * The entries of the read (or reclaim page) being handled that are not done with yet, by stream:
   * while one is retried through an outage, the others wait behind it and are kept with it.
   */
  private readonly inHand = new Map<string, Set<string>>();

  constructor(options: ConsumerGroupOptions) {
    this.consumer = options.consumer ?? `${hostname()}-${process.pid}-${Bun.randomUUIDv7().slice(-6)}`;
    this.options = {
      maxDeliveries: 5,
      blockMs: 2_000,
      batchSize: 16,
      claimIdleMs: 30_000,
      // Look for entries to reclaim at least as often as they can become reclaimable.
      claimIntervalMs: Math.min(5_000, options.claimIdleMs ?? 30_000),
      startId: "0",
      handlerTimeoutMs: 20_000,
      forgetConsumersIdleMs: 3_600_000,
      ...options,
    };
    // Its reads block for blockMs by design: the timeouts allow for that. A read left unanswered
    // when its connection is dropped is not sent again on the next one: its reply would deliver
    // entries to a read that had already given up (they would wait for a reclaim, a delivery
    // counted); it fails by its timeout and the loop reads afresh.
    this.blocking = options.redis.duplicate({
      lazyConnect: true,
      commandTimeout: this.options.blockMs + 5_000,
      socketTimeout: this.options.blockMs + 5_000,
      autoResendUnfulfilledCommands: false,
    });
    // The shared connection reports outages; this one would only repeat them (unhandled, to stderr).
    this.blocking.on("error", () => {});
  }

  /**
   * Creates the groups (and streams) if needed and starts consuming in the background. With Redis
   * away the groups are created by the read loop once it is back: starting never fails for that.
   */
  async start(): Promise<void> {
    // The blocking connection is lazy, and with no offline queue a read before it is up would fail.
    await this.blocking.connect().catch(() => {});
    await this.ensureGroups().catch((err) => {
      if (!isDependencyFailure(err)) throw err;
      this.options.logger.warn({ err: err.message }, "redis is unavailable; the consumer will wait for it");
    });
    for (const stream of this.options.streams)
      this.options.metrics?.watch(this.options.redis, stream, this.options.group);
    this.loop = this.run();
    this.options.logger.info(
      { streams: this.options.streams, group: this.options.group, consumer: this.consumer },
      "consumer started",
    );
  }

  /** Stops reading, lets the entry in hand finish, and leaves the group if it owns nothing pending. */
  async stop(): Promise<void> {
    if (this.closing) return this.loop;
    this.closing = true;
    this.blocking.disconnect();
    this.wake?.();
    await this.loop;
    await this.leaveGroupIfIdle().catch((err) =>
      this.options.logger.warn({ err }, "could not leave the group"),
    );
    this.options.logger.info({ group: this.options.group, consumer: this.consumer }, "consumer stopped");
  }

  private async run(): Promise<void> {
    const { streams, group, batchSize, blockMs, logger } = this.options;
    let failures = 0;
    while (!this.closing) {
      try {
        await this.reclaimIfDue();
        const reply = (await this.blocking.xreadgroup(
          "GROUP",
          group,
          this.consumer,
          "COUNT",
          batchSize,
          "BLOCK",
          blockMs,
          "STREAMS",
          ...streams,
          ...streams.map(() => ">"),
        )) as ReadReply;
        this.holdInHand(reply ?? []);
        for (const [stream, entries] of reply ?? []) {
          if (this.outageAtStop) break; // the rest stays pending, for another consumer
          if (this.options.batchHandler && entries.length > 1) {
            await this.handleBatch(stream, entries);
          } else {
            for (const [entryId, fields] of entries) {
              if (this.outageAtStop) break;
              await this.handle(stream, entryId, fields, 1);
            }
          }
        }
        failures = 0;
      } catch (err) {
        if (this.closing) break;
        failures++;
        if (String(err).includes("NOGROUP")) await this.ensureGroups().catch(() => {});
        const delay = backoffDelay(100, failures, OUTAGE_RETRY_MAX_MS);
        logger.warn({ err, delayMs: delay }, "stream read failed; retrying");
        await this.pause(delay);
      }
    }
  }

  /** Takes over entries idle past claimIdleMs, ours included (a failed entry is retried this way). */
  private async reclaimIfDue(): Promise<void> {
    const { streams, group, claimIdleMs, claimIntervalMs, batchSize, redis } = this.options;
    if (Date.now() - this.lastClaimAt < claimIntervalMs) return;
    this.lastClaimAt = Date.now();
    for (const stream of streams) {
      let cursor = "0-0";
      do {
        if (this.closing) return;
        const [next, entries, deleted = []] = (await redis.xautoclaim(
          stream,
          group,
          this.consumer,
          claimIdleMs,
          cursor,
          "COUNT",
          batchSize,
        )) as [string, Entry[], string[]?];
        // Entries trimmed from the stream while pending: nothing left to process, but not silently.
        for (const entryId of deleted) await this.recordTrimmed(stream, entryId);
        this.holdInHand([[stream, entries]]);
        for (const [entryId, fields] of entries) {
          if (this.closing) return;
          await this.handle(stream, entryId, fields, await this.deliveries(stream, entryId));
        }
        cursor = next;
      } while (cursor !== "0-0");
    }
    await this.forgetDepartedIfDue();
  }

  private lastDepartedCheckAt = 0;
  private forgetDeparted: LuaScript<string[]> | undefined;

  /** Deletes the group's consumers that hold nothing and have not read for forgetConsumersIdleMs. */
  private async forgetDepartedIfDue(): Promise<void> {
    const { streams, group, forgetConsumersIdleMs, redis, logger } = this.options;
    const checkEveryMs = Math.min(DEPARTED_CHECK_MS, forgetConsumersIdleMs);
    if (Date.now() - this.lastDepartedCheckAt < checkEveryMs) return;
    this.lastDepartedCheckAt = Date.now();
    this.forgetDeparted ??= luaScript<string[]>(redis, new URL("./forget-departed-1.lua", import.meta.url));
    for (const stream of streams) {
      const deleted = await this.forgetDeparted(stream, group, forgetConsumersIdleMs, this.consumer);
      if (deleted.length > 0)
        logger.info({ stream, group, consumers: deleted }, "departed consumers deleted");
    }
  }

  /** Handles one entry (handleEntry), and then it is no longer in hand, whatever became of it. */
  private async handle(
    stream: string,
    entryId: string,
    fields: string[] | null,
    deliveries: number,
  ): Promise<void> {
    try {
      await this.handleEntry(stream, entryId, fields, deliveries);
    } finally {
      this.inHand.get(stream)?.delete(entryId);
    }
  }

  private async handleEntry(
    stream: string,
    entryId: string,
    fields: string[] | null,
    deliveries: number,
  ): Promise<void> {
    const { group, maxDeliveries, metrics, handler } = this.options;
    const labels = { stream, group };
    if (fields === null) return this.recordTrimmed(stream, entryId);
    if (deliveries > maxDeliveries) return this.deadLetter(stream, entryId, fields, deliveries);

    const entryLogger = this.options.logger.child({ stream, entryId, deliveries });
    let logger = entryLogger;
    for (let outageRetries = 0; ; outageRetries++) {
      try {
        const { event, handoff } = this.consuming(fromStreamFields(fields), stream);
        // From the entry's logger each time: a child of the last try's would repeat the event's
        // fields once more on every retry through an outage (seen in the crash matrix's logs).
        logger = entryLogger.child({
          eventId: event.id,
          eventType: event.type,
          requestId: event.requestId || undefined,
        });
        try {
          await runInContext(handoff?.context, () =>
            this.bounded(handler(event, { stream, entryId, deliveries, logger })),
          );
        } catch (error) {
          handoff?.end(error);
          throw error;
        }
        handoff?.end();
        await this.acknowledge(stream, [entryId]);
        metrics?.processed.inc({ ...labels, type: event.type });
        return;
      } catch (err) {
        metrics?.failed.inc(labels);
        if (isDependencyFailure(err) && !this.closing) {
          // The handler is idempotent by event id, so running it again after a half-done try is safe.
          const delayMs = backoffDelay(OUTAGE_RETRY_MS, outageRetries, OUTAGE_RETRY_MAX_MS);
          logger.warn({ err: errorMessage(err), delayMs }, "a dependency is unavailable; retrying the event");
          await this.pause(delayMs);
          await this.keepInHand();
          if (!this.closing) continue;
        }
        // Stopping in an outage: what else this read holds stays pending too (see run()).
        if (isDependencyFailure(err) && this.closing) this.outageAtStop = true;
        logger.warn({ err }, "event handling failed; it stays pending and will be retried");
        const { lastErrors } = streamKeys(stream, group);
        await this.options.redis
          .multi()
          .hset(lastErrors, entryId, errorMessage(err))
          .expire(lastErrors, LAST_ERROR_TTL_SECONDS)
          .exec()
          .catch(() => {});
        return;
      }
    }
  }

  /**
   * With tracing on, an event that carries a trace is handled in a CONSUMER span of it, and handed
   * to the handler with that span's `traceparent` (which the notification service keeps on the
   * notifications it stores, so their deliveries continue the trace).
   */
  private consuming(read: DomainEvent, stream: string): { event: DomainEvent; handoff?: Handoff } {
    const handoff = handoffSpan(`${this.options.group} ${read.type}`, read.traceparent, {
      kind: SpanKind.CONSUMER,
      attributes: {
        "messaging.destination.name": stream,
        "messaging.consumer.group.name": this.options.group,
      },
    });
    return handoff ? { event: { ...read, traceparent: handoff.traceparent }, handoff } : { event: read };
  }

  /**
   * The new entries of one read through the batch handler, acknowledged with one XACK. Entries that
   * cannot be read, and every entry of a batch that failed for any reason but an outage, go through
   * handle() one by one: the per-entry rules (retry, dead letter) stay exactly as they are.
   */
  private async handleBatch(stream: string, entries: Entry[]): Promise<void> {
    const { group, redis, metrics, logger, batchHandler } = this.options;
    // Each event of the batch has its own span (they come from as many traces), ended with the batch.
    const batch: Array<{ entryId: string; fields: string[]; event: DomainEvent; handoff?: Handoff }> = [];
    const alone: Entry[] = [];
    for (const entry of entries) {
      const [entryId, fields] = entry;
      try {
        if (fields) batch.push({ entryId, fields, ...this.consuming(fromStreamFields(fields), stream) });
        else alone.push(entry);
      } catch {
        alone.push(entry);
      }
    }
    for (let outageRetries = 0; batch.length > 0; outageRetries++) {
      try {
        await this.bounded(
          batchHandler?.(
            batch.map(({ entryId, event }) => ({
              event,
              context: { stream, entryId, deliveries: 1, logger },
            })),
          ),
        );
        await redis.xack(stream, group, ...batch.map((b) => b.entryId));
        for (const { entryId, event, handoff } of batch) {
          this.inHand.get(stream)?.delete(entryId);
          handoff?.end();
          metrics?.processed.inc({ stream, group, type: event.type });
        }
        break;
      } catch (err) {
        if (isDependencyFailure(err)) {
          if (!this.closing) {
            const delayMs = backoffDelay(OUTAGE_RETRY_MS, outageRetries, OUTAGE_RETRY_MAX_MS);
            logger.warn(
              { err: errorMessage(err), delayMs, stream },
              "a dependency is unavailable; retrying the batch",
            );
            await this.pause(delayMs);
            await this.keepInHand();
            if (!this.closing) continue;
          }
          // Stopping in an outage: the batch stays pending, for another consumer (or this one's
          // successor) to take; one by one, each event could hold the stop for a handler's timeout.
          for (const { handoff } of batch) handoff?.end(err);
          this.outageAtStop = true;
          return;
        }
        // One by one from here, each in a span of its own again.
        for (const { handoff } of batch) handoff?.end(err);
        alone.push(...batch.map(({ entryId, fields }): Entry => [entryId, fields]));
        break;
      }
    }
    for (const [entryId, fields] of alone) await this.handle(stream, entryId, fields, 1);
  }

  /** The entries of a read or a reclaim page are in hand until each is handled. */
  private holdInHand(read: Array<[stream: string, entries: Entry[]]>): void {
    this.inHand.clear();
    for (const [stream, entries] of read) this.inHand.set(stream, new Set(entries.map(([id]) => id)));
  }

  /**
   * Keeps the entries in hand while one is retried through an outage: the one retried and those
   * waiting behind it. Claiming them again with JUSTID resets their idle time without counting a
   * delivery, so no other consumer reclaims them (each reclaim counts one, and enough of them
   * dead-letter an entry no handler has seen) while the outage lasts.
   */
  private async keepInHand(): Promise<void> {
    const { redis, group } = this.options;
    for (const [stream, ids] of this.inHand) {
      if (ids.size === 0) continue;
      await redis.xclaim(stream, group, this.consumer, 0, ...ids, "JUSTID").catch(() => {});
    }
  }

  /** The handler's work, or an ETIMEDOUT (an outage, so retried in place) once handlerTimeoutMs passed. */
  private bounded<T>(work: Promise<T> | undefined): Promise<T | undefined> {
    const { handlerTimeoutMs } = this.options;
    return within(Promise.resolve(work), handlerTimeoutMs, () =>
      Object.assign(new Error(`the handler did not finish within ${handlerTimeoutMs} ms`), {
        code: "ETIMEDOUT",
      }),
    );
  }

  /** Waits, unless stop() is called meanwhile. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** An entry that is pending but no longer in the stream: a dead letter without fields, and acknowledged. */
  private async recordTrimmed(stream: string, entryId: string): Promise<void> {
    const { group, redis, metrics, logger } = this.options;
    const keys = streamKeys(stream, group);
    await redis
      .multi()
      .xadd(
        keys.deadLetters,
        "*",
        ...deadLetterFields({ entryId, stream, group, error: TRIMMED_ERROR, deliveries: 0 }),
      )
      .xack(stream, group, entryId)
      .hdel(keys.lastErrors, entryId)
      .exec();
    metrics?.deadLettered.inc({ stream, group });
    logger.error({ stream, entryId, group }, TRIMMED_ERROR);
  }

  private async deadLetter(
    stream: string,
    entryId: string,
    fields: string[],
    deliveries: number,
  ): Promise<void> {
    const { group, redis, metrics, logger } = this.options;
    const keys = streamKeys(stream, group);
    const error = (await redis.hget(keys.lastErrors, entryId)) ?? "unknown";
    // One transaction: the copy and the acknowledgement happen together or not at all.
    await redis
      .multi()
      .xadd(
        keys.deadLetters,
        "*",
        ...fields,
        ...deadLetterFields({ entryId, stream, group, error, deliveries: deliveries - 1 }),
      )
      .xack(stream, group, entryId)
      .hdel(keys.lastErrors, entryId)
      .exec();
    metrics?.deadLettered.inc({ stream, group });
    logger.error(
      { stream, entryId, group, error, deliveries: deliveries - 1 },
      "event moved to the dead-letter stream",
    );
  }

  private async acknowledge(stream: string, entryIds: string[]): Promise<void> {
    const { redis, group } = this.options;
    await redis
      .multi()
      .xack(stream, group, ...entryIds)
      .hdel(streamKeys(stream, group).lastErrors, ...entryIds)
      .exec();
  }

  /** Delivery count of a pending entry (XAUTOCLAIM has just counted the current delivery). */
  private async deliveries(stream: string, entryId: string): Promise<number> {
    const rows = (await this.options.redis.xpending(
      stream,
      this.options.group,
      entryId,
      entryId,
      1,
    )) as Array<[string, string, number, number]>;
    return rows[0]?.[3] ?? 1;
  }

  private async ensureGroups(): Promise<void> {
    const { redis, streams, group, startId } = this.options;
    for (const stream of streams) {
      try {
        await redis.xgroup("CREATE", stream, group, startId, "MKSTREAM");
      } catch (err) {
        if (!String(err).includes("BUSYGROUP")) throw err;
      }
    }
  }

  private async leaveGroupIfIdle(): Promise<void> {
    const { redis, streams, group } = this.options;
    for (const stream of streams) {
      const mine = (await redis.xpending(stream, group, "-", "+", 1, this.consumer)) as unknown[];
      if (mine.length === 0) await redis.xgroup("DELCONSUMER", stream, group, this.consumer);
    }
  }
}

/** The fields a dead letter adds to the original entry's (DEAD_LETTER_FIELDS). */
function deadLetterFields(letter: {
  entryId: string;
  stream: string;
  group: string;
  error: string;
  deliveries: number;
}): string[] {
  return [
    "originalId",
    letter.entryId,
    "originalStream",
    letter.stream,
    "group",
    letter.group,
    "error",
    letter.error,
    "deliveries",
    String(letter.deliveries),
    "deadLetteredAt",
    new Date().toISOString(),
  ];
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
