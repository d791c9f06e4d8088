/**
 * A ProcessedEvents record in Redis: one key per (group, event id), expiring after a retention
 * period longer than any redelivery window. For consumers whose own store cannot tell (a store
 * keyed by event id, like the activity log, is its own record and needs none).
 */
import type { Redis } from "ioredis";
import type { ProcessedEvents } from "./consumer-group.js";

export function redisProcessedEvents(
  redis: Redis,
  group: string,
  retentionSeconds = 7 * 24 * 3600,
): ProcessedEvents {
  const key = (eventId: string) => `processed:${group}:${eventId}`;
  return {
    has: async (eventId) => (await redis.exists(key(eventId))) === 1,
    add: async (eventId) => {
      await redis.set(key(eventId), "1", "EX", retentionSeconds);
    },
  };
}
