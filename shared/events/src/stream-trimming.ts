/**
 * Stream retention: a stream is trimmed towards `keep` entries, except that an entry is never
 * trimmed while a consumer group has not read and acknowledged it (trim-stream-1.lua). Trimming on
 * XADD (`MAXLEN ~`) cannot promise that, so publishers append without trimming and trim here, from
 * the relays' loops. A group that falls far behind makes its stream grow: that shows as consumer
 * lag (and an alert), never as lost events.
 */
import { luaScript } from "@platform/redis";
import type { Redis } from "ioredis";

/** The most entries one call examines; a long backlog is trimmed over several calls. */
const MOST_PER_CALL = 10_000;

/** Trims one stream; resolves to how many entries went. */
export async function trimStream(redis: Redis, stream: string, keep: number): Promise<number> {
  const trim = luaScript<number>(redis, new URL("./trim-stream-1.lua", import.meta.url));
  return trim(stream, keep, MOST_PER_CALL);
}
