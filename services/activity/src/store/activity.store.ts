/**
 * The activity log in MongoDB: one document per event, the event id as _id. Inside a trace, each
 * write and query is a span of it (the driver has no instrumentation that works on Bun).
 */
import { SpanKind, withSpan } from "@platform/telemetry";
import type { Collection, Db } from "mongodb";
import type { ActivityEntry } from "../domain/activity.js";

export type ActivityCollection = Collection<ActivityEntry>;

const DUPLICATE_KEY = 11000;

const traced = <T>(operation: string, work: () => Promise<T>) =>
  withSpan(
    `mongodb ${operation} entries`,
    {
      kind: SpanKind.CLIENT,
      onlyInTrace: true,
      attributes: {
        "db.system.name": "mongodb",
        "db.collection.name": "entries",
        "db.operation.name": operation,
      },
    },
    work,
  );

export function activityCollection(db: Db): ActivityCollection {
  return db.collection<ActivityEntry>("entries");
}

/** The indexes the queries use; created at start-up (creating an existing index is a no-op). */
export async function ensureIndexes(entries: ActivityCollection): Promise<void> {
  await entries.createIndex({ orderId: 1, occurredAt: -1, _id: -1 }, { name: "orderId_occurredAt" });
  await entries.createIndex({ userId: 1, occurredAt: -1, _id: -1 }, { name: "userId_occurredAt" });
  await entries.createIndex({ type: 1, occurredAt: -1, _id: -1 }, { name: "type_occurredAt" });
  await entries.createIndex({ occurredAt: -1, _id: -1 }, { name: "occurredAt" });
}

/** Stores the entry once: a second delivery of the same event finds it there and changes nothing. */
export async function recordEntry(
  entries: ActivityCollection,
  entry: ActivityEntry,
): Promise<"stored" | "duplicate"> {
  try {
    await traced("insertOne", () => entries.insertOne(entry));
    return "stored";
  } catch (error) {
    if ((error as { code?: number }).code === DUPLICATE_KEY) return "duplicate";
    throw error;
  }
}

/** Stores many entries at once; those already there (a redelivery) are skipped, not errors. */
export async function recordEntries(entries: ActivityCollection, batch: ActivityEntry[]): Promise<void> {
  if (batch.length === 0) return;
  try {
    await traced("insertMany", () => entries.insertMany(batch, { ordered: false }));
  } catch (error) {
    const { writeErrors } = error as { writeErrors?: Array<{ code?: number }> | { code?: number } };
    const failures = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
    if (failures.length === 0 || failures.some((e) => e.code !== DUPLICATE_KEY)) throw error;
  }
}

export interface ActivityQuery {
  orderId?: string;
  userId?: string;
  type?: string;
  /** Keyset pagination: entries older than this (time, id). */
  before?: { occurredAt: Date; id: string };
  limit: number;
}

/** Newest first. */
export function listEntries(entries: ActivityCollection, query: ActivityQuery): Promise<ActivityEntry[]> {
  const filter: Record<string, unknown> = {};
  if (query.orderId) filter.orderId = query.orderId;
  if (query.userId) filter.userId = query.userId;
  if (query.type) filter.type = query.type;
  if (query.before) {
    const { occurredAt, id } = query.before;
    filter.$or = [{ occurredAt: { $lt: occurredAt } }, { occurredAt, _id: { $lt: id } }];
  }
  return traced("find", () =>
    entries.find(filter).sort({ occurredAt: -1, _id: -1 }).limit(query.limit).toArray(),
  );
}

/** Deletes the entries that occurred before the cutoff; resolves to how many went. */
export async function pruneEntries(entries: ActivityCollection, before: Date): Promise<number> {
  const { deletedCount } = await entries.deleteMany({ occurredAt: { $lt: before } });
  return deletedCount;
}
