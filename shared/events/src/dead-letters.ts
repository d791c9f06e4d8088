/**
 * Reading and replaying dead-lettered entries (an admin's tools). A replayed entry goes back on its
 * original stream with its original fields, so its event id is unchanged: groups that had already
 * processed it skip it, the group that had failed it gets another try.
 */
import { luaScript } from "@platform/redis";
import type { Redis } from "ioredis";
import { fieldsToRecord } from "./envelope.js";
import { DEAD_LETTER_FIELDS, deadLetterStream } from "./stream-keys.js";

export interface DeadLetter {
  /** Id of the entry in the dead-letter stream. */
  id: string;
  originalId: string;
  originalStream: string;
  group: string;
  error: string;
  deliveries: number;
  deadLetteredAt: string;
  /** The original entry's fields. */
  fields: Record<string, string>;
}

/** The stream's dead letters, oldest first: `count` of them, after the dead letter `after` when given. */
export async function listDeadLetters(
  redis: Redis,
  stream: string,
  count = 100,
  after?: string,
): Promise<DeadLetter[]> {
  const entries = await redis.xrange(
    deadLetterStream(stream),
    after ? `(${after}` : "-",
    "+",
    "COUNT",
    count,
  );
  return entries.map(([id, fields]) => toDeadLetter(id, fields));
}

/**
 * Puts the dead letter back on its stream and removes it from the DLQ, atomically
 * (replay-dead-letter-2.lua): replayed twice at once, it is added back once. Resolves to the new
 * entry id, or undefined when there is no such dead letter (replayed or deleted already).
 */
export async function replayDeadLetter(
  redis: Redis,
  stream: string,
  deadLetterId: string,
): Promise<string | undefined> {
  const replay = luaScript<string | null>(redis, new URL("./replay-dead-letter-2.lua", import.meta.url));
  const newId = await replay(deadLetterStream(stream), stream, deadLetterId, ...DEAD_LETTER_FIELDS);
  return newId ?? undefined;
}

function toDeadLetter(id: string, fields: string[]): DeadLetter {
  const record = fieldsToRecord(fields);
  const original = Object.fromEntries(
    Object.entries(record).filter(([name]) => !DEAD_LETTER_FIELDS.includes(name)),
  );
  return {
    id,
    originalId: record.originalId ?? "",
    originalStream: record.originalStream ?? "",
    group: record.group ?? "",
    error: record.error ?? "",
    deliveries: Number(record.deliveries ?? 0),
    deadLetteredAt: record.deadLetteredAt ?? "",
    fields: original,
  };
}
