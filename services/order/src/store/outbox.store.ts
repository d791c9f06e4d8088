/** The transactional outbox: events written in the transaction of the change they describe. */
import type { DomainEvent } from "@platform/events";
import { sql } from "kysely";
import type { OrderDb } from "./order.store.js";

export async function insertOutboxEvent(db: OrderDb, stream: string, event: DomainEvent): Promise<void> {
  await db
    .insertInto("outbox")
    .values({
      eventId: event.id,
      stream,
      type: event.type,
      version: event.version,
      payload: JSON.stringify(event.payload),
      requestId: event.requestId,
      occurredAt: new Date(event.occurredAt),
      publishedAt: null,
    })
    .execute();
}

export interface OutboxRow {
  id: number;
  stream: string;
  event: DomainEvent;
}

/**
 * The oldest unpublished events, locked for this transaction; rows another relay holds are skipped,
 * so several order replicas relay side by side without publishing the same row.
 */
export async function lockUnpublished(db: OrderDb, limit: number): Promise<OutboxRow[]> {
  const rows = await db
    .selectFrom("outbox")
    .selectAll()
    .where("publishedAt", "is", null)
    .orderBy("id")
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  return rows.map((row) => ({
    id: row.id,
    stream: row.stream,
    event: {
      id: row.eventId,
      type: row.type,
      version: row.version,
      occurredAt: row.occurredAt.toISOString(),
      requestId: row.requestId,
      payload: row.payload,
    },
  }));
}

export async function markPublished(db: OrderDb, id: number): Promise<void> {
  await db.updateTable("outbox").set({ publishedAt: new Date() }).where("id", "=", id).execute();
}

/** Deletes events published before the cutoff; resolves to how many. */
export async function prunePublished(db: OrderDb, before: Date): Promise<number> {
  const result = await db.deleteFrom("outbox").where("publishedAt", "<", before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function unpublishedCount(db: OrderDb): Promise<number> {
  const { n } = await db
    .selectFrom("outbox")
    .select(sql<number>`count(*)::int`.as("n"))
    .where("publishedAt", "is", null)
    .executeTakeFirstOrThrow();
  return n;
}
