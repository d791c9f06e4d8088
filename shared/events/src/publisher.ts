/**
 * Appends events to a stream. No trimming here: `MAXLEN ~` on XADD could drop entries a consumer
 * group has not read yet; streams are trimmed by trimStream (stream-trimming.ts), which cannot.
 */
import type { Redis } from "ioredis";
import { type DomainEvent, toStreamFields } from "./envelope.js";

export const DEFAULT_STREAM_MAX_LEN = 100_000;

/** XADD one event; resolves to the entry id. */
export async function publishEvent(redis: Redis, stream: string, event: DomainEvent): Promise<string> {
  const entryId = await redis.xadd(stream, "*", ...toStreamFields(event));
  if (!entryId) throw new Error(`XADD to ${stream} returned no id`);
  return entryId;
}
