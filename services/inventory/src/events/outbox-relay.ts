/**
 * Moves inventory events from the Redis outbox list (written by the stock scripts in the same step
 * as the change they describe) to the `events:inventory` stream.
 *
 * One replica relays at a time (a lock with a lease). An event is removed from the outbox only
 * after XADD succeeded, so Redis trouble loses nothing; a relay that dies between the two leaves
 * the event at the head and the next one publishes it again with the same event id, which the
 * consumers deduplicate.
 */
import { type DomainEvent, publishEvent } from "@platform/events";
import { PollingLoop } from "@platform/jobs";
import type { Logger } from "@platform/logging";
import type { Redis } from "ioredis";

export interface OutboxRelayOptions {
  redis: Redis;
  outboxKey: string;
  lockKey: string;
  stream: string;
  logger: Logger;
  streamMaxLen?: number;
  /** Poll interval; a nudge after a write publishes sooner. */
  intervalMs?: number;
  batchSize?: number;
  lockLeaseMs?: number;
}

const RELEASE_IF_OWNED = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`;

export class OutboxRelay {
  private readonly owner = Bun.randomUUIDv7();
  private readonly loop: PollingLoop;

  constructor(private readonly options: OutboxRelayOptions) {
    this.loop = new PollingLoop({
      name: "inventory outbox relay",
      run: () => this.relayOnce(),
      intervalMs: options.intervalMs ?? 1_000,
      logger: options.logger,
    });
  }

  start(): void {
    this.loop.start();
  }

  /** Publish soon: called after a write that queued an event. */
  nudge(): void {
    this.loop.nudge();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Publishes what is queued now; resolves to the number of events published. */
  async relayOnce(): Promise<number> {
    const {
      redis,
      outboxKey,
      lockKey,
      stream,
      streamMaxLen,
      batchSize = 100,
      lockLeaseMs = 10_000,
    } = this.options;
    const acquired = await redis.set(lockKey, this.owner, "PX", lockLeaseMs, "NX");
    if (!acquired) return 0;
    let published = 0;
    try {
      for (;;) {
        const batch = await redis.lrange(outboxKey, 0, batchSize - 1);
        if (batch.length === 0) break;
        for (const raw of batch) {
          await publishEvent(redis, stream, JSON.parse(raw) as DomainEvent, { maxLen: streamMaxLen });
          await redis.lpop(outboxKey);
          published++;
        }
        await redis.pexpire(lockKey, lockLeaseMs);
      }
    } finally {
      await redis.eval(RELEASE_IF_OWNED, 1, lockKey, this.owner).catch(() => {});
    }
    return published;
  }
}
