/**
 * Moves stock events from the Redis outbox list (written by the stock scripts in the same step as
 * the change they describe) to the `events:inventory` stream.
 *
 * One replica relays at a time (a lock with a lease). A batch is read from the head of the list,
 * appended to the stream with pipelined XADDs (one round trip), and only then removed from the list
 * by pop-published-1.lua, which pops only the elements it was given: if this relay's lease ran out
 * and another one published and popped them meanwhile, nothing else is removed. So Redis trouble
 * or a crash loses nothing; at worst an event goes out twice with the same id, which consumers skip.
 */
import { type DomainEvent, toStreamFields } from "@platform/events";
import { PollingLoop } from "@platform/jobs";
import type { Logger } from "@platform/logging";
import { type LuaScript, luaScript } from "@platform/redis";
import type { Redis } from "ioredis";

export interface StockEventRelayOptions {
  redis: Redis;
  outboxKey: string;
  lockKey: string;
  stream: string;
  logger: Logger;
  /** Poll interval; a nudge after a write publishes sooner. */
  intervalMs?: number;
  batchSize?: number;
  lockLeaseMs?: number;
}

export class StockEventRelay {
  private readonly owner = Bun.randomUUIDv7();
  private readonly loop: PollingLoop;
  private readonly popPublished: LuaScript<number>;
  private readonly releaseLock: LuaScript<number>;
  private readonly extendLock: LuaScript<number>;

  constructor(private readonly options: StockEventRelayOptions) {
    this.popPublished = luaScript(options.redis, new URL("./pop-published-1.lua", import.meta.url));
    this.releaseLock = luaScript(options.redis, new URL("./release-lock-1.lua", import.meta.url));
    this.extendLock = luaScript(options.redis, new URL("./extend-lock-1.lua", import.meta.url));
    this.loop = new PollingLoop({
      name: "stock event relay",
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
    const { redis, outboxKey, lockKey, stream, batchSize = 100, lockLeaseMs = 10_000 } = this.options;
    const acquired = await redis.set(lockKey, this.owner, "PX", lockLeaseMs, "NX");
    if (!acquired) return 0;
    let published = 0;
    try {
      for (;;) {
        const batch = await redis.lrange(outboxKey, 0, batchSize - 1);
        if (batch.length === 0) break;
        const pipeline = redis.pipeline();
        for (const raw of batch)
          pipeline.xadd(stream, "*", ...toStreamFields(JSON.parse(raw) as DomainEvent));
        const results = (await pipeline.exec()) ?? [];
        // Only the run of elements that all went out may leave the list; the rest waits.
        const sent = results.findIndex(([error]) => error !== null);
        const done = batch.slice(0, sent === -1 ? results.length : sent);
        if (done.length > 0) published += await this.popPublished(outboxKey, ...done);
        if (done.length < batch.length) {
          throw results[sent]?.[0] ?? new Error("XADD pipeline cut short");
        }
        // Lost the lock meanwhile (a stall past the lease): the replica holding it now goes on.
        if (!(await this.extendLock(lockKey, this.owner, lockLeaseMs))) break;
      }
    } finally {
      await this.releaseLock(lockKey, this.owner).catch(() => {});
    }
    return published;
  }
}
