/**
 * Appends events to a stream, trimmed approximately (MAXLEN ~) so a stream cannot grow without bound.
 */
import type { Redis } from "ioredis";
import { type DomainEvent, toStreamFields } from "./envelope.js";

export interface PublishOptions {
  /** Approximate upper bound of the stream's length. */
  maxLen?: number;
}

export const DEFAULT_STREAM_MAX_LEN = 100_000;

/** XADD one event; resolves to the entry id. */
export async function publishEvent(
  redis: Redis,
  stream: string,
  event: DomainEvent,
  { maxLen = DEFAULT_STREAM_MAX_LEN }: PublishOptions = {},
): Promise<string> {
  const entryId = await redis.xadd(stream, "MAXLEN", "~", maxLen, "*", ...toStreamFields(event));
  if (!entryId) throw new Error(`XADD to ${stream} returned no id`);
  return entryId;
}
