/**
 * A Redis Streams consumer-group runner (ARCHITECTURE §3):
 * - reads with XREADGROUP ... BLOCK on a connection of its own (a blocking read holds it);
 * - acknowledges an entry only after the handler resolved, so a crash mid-message loses nothing;
 * - reclaims entries left pending by a dead or failing consumer (XAUTOCLAIM past an idle time);
 * - after maxDeliveries moves an entry to `<stream>:dlq` with its original id, stream, group and
 *   last error, and acknowledges it, so one poison entry never blocks the ones behind it;
 * - skips events whose id was already processed (the optional `processed` hook), so a redelivery
 *   changes nothing the second time;
 * - on stop(), breaks the blocking read, finishes the entry in hand and leaves the group only when
 *   it owns no pending entries (deleting a consumer drops its pending entries).
 */
import { hostname } from "node:os";
import type { Logger } from "@platform/logging";
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

/** Remembers which event ids a group has processed. */
export interface ProcessedEvents {
  has(eventId: string): Promise<boolean>;
  add(eventId: string): Promise<void>;
}

export interface ConsumerGroupOptions {
  /** Shared connection for XACK, XAUTOCLAIM, ...; the blocking read gets a duplicate of it. */
  redis: Redis;
  streams: readonly string[];
  group: string;
  /** Unique within the group; defaults to host-pid-random. */
  consumer?: string;
  handler: EventHandler;
  logger: Logger;
  processed?: ProcessedEvents;
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
}

type Entry = [id: string, fields: string[] | null];
type ReadReply = Array<[stream: string, entries: Entry[]]> | null;

const LAST_ERROR_TTL_SECONDS = 7 * 24 * 3600;

export class ConsumerGroup {
  readonly consumer: string;
  private readonly options: Required<Omit<ConsumerGroupOptions, "processed" | "metrics" | "consumer">> &
    Pick<ConsumerGroupOptions, "processed" | "metrics">;
  private readonly blocking: Redis;
  private closing = false;
  private loop: Promise<void> | undefined;
  private lastClaimAt = 0;

  constructor(options: ConsumerGroupOptions) {
    this.consumer = options.consumer ?? `${hostname()}-${process.pid}-${Bun.randomUUIDv7().slice(-6)}`;
    this.options = {
      maxDeliveries: 5,
      blockMs: 2_000,
      batchSize: 16,
      claimIdleMs: 30_000,
      claimIntervalMs: 5_000,
      startId: "0",
      ...options,
    };
    this.blocking = options.redis.duplicate({ lazyConnect: true });
  }

  /** Creates the groups (and streams) if needed and starts consuming in the background. */
  async start(): Promise<void> {
    await this.ensureGroups();
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
        for (const [stream, entries] of reply ?? []) {
          for (const [entryId, fields] of entries) await this.handle(stream, entryId, fields, 1);
        }
        failures = 0;
      } catch (err) {
        if (this.closing) break;
        failures++;
        if (String(err).includes("NOGROUP")) await this.ensureGroups().catch(() => {});
        const delay = Math.min(5_000, 100 * 2 ** Math.min(failures, 6));
        logger.warn({ err, delayMs: delay }, "stream read failed; retrying");
        await Bun.sleep(delay);
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
        // Entries trimmed from the stream while pending: nothing left to process.
        if (deleted.length > 0) await this.acknowledge(stream, deleted);
        for (const [entryId, fields] of entries) {
          if (this.closing) return;
          await this.handle(stream, entryId, fields, await this.deliveries(stream, entryId));
        }
        cursor = next;
      } while (cursor !== "0-0");
    }
  }

  private async handle(
    stream: string,
    entryId: string,
    fields: string[] | null,
    deliveries: number,
  ): Promise<void> {
    const { group, maxDeliveries, processed, metrics, handler } = this.options;
    const labels = { stream, group };
    if (fields === null) return this.acknowledge(stream, [entryId]);
    if (deliveries > maxDeliveries) return this.deadLetter(stream, entryId, fields, deliveries);

    let logger = this.options.logger.child({ stream, entryId, deliveries });
    try {
      const event = fromStreamFields(fields);
      logger = logger.child({
        eventId: event.id,
        eventType: event.type,
        requestId: event.requestId || undefined,
      });
      if (processed && (await processed.has(event.id))) {
        logger.info("event already processed; acknowledging the redelivery");
      } else {
        await handler(event, { stream, entryId, deliveries, logger });
        await processed?.add(event.id);
      }
      await this.acknowledge(stream, [entryId]);
      metrics?.processed.inc({ ...labels, type: event.type });
    } catch (err) {
      metrics?.failed.inc(labels);
      logger.warn({ err }, "event handling failed; it stays pending and will be retried");
      const { lastErrors } = streamKeys(stream, group);
      await this.options.redis
        .multi()
        .hset(lastErrors, entryId, errorMessage(err))
        .expire(lastErrors, LAST_ERROR_TTL_SECONDS)
        .exec()
        .catch(() => {});
    }
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
        "originalId",
        entryId,
        "originalStream",
        stream,
        "group",
        group,
        "error",
        error,
        "deliveries",
        String(deliveries - 1),
        "deadLetteredAt",
        new Date().toISOString(),
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

function errorMessage(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
