/**
 * The outbox in Postgres: plain functions taking the service's database or transaction. They work
 * on any service schema that has the outbox table (createOutboxTable), whatever else it holds.
 */
import { anyOf, deleteInBatches, preparedQuery } from "@platform/db";
import type { DomainEvent } from "@platform/events";
import { type Kysely, sql } from "kysely";
import type { OutboxDatabase } from "./outbox.table.js";

/** A service's Kysely instance or transaction; only its outbox table is used here. */
// biome-ignore lint/suspicious/noExplicitAny: any service database qualifies; only `outbox` is touched.
export type OutboxDb = Kysely<any>;

const outbox = (db: OutboxDb) => db as Kysely<OutboxDatabase>;

export async function insertOutboxEvent(db: OutboxDb, stream: string, event: DomainEvent): Promise<void> {
  await insertOutboxEventStatement(db, outboxValues(stream, event));
}

const insertOutboxEventStatement = preparedQuery((p: OutboxValues) => outboxInsert(p));

export interface OutboxRow {
  id: number;
  stream: string;
  event: DomainEvent;
}

/**
 * The oldest unpublished events, locked for this transaction; rows another relay holds are skipped,
 * so several replicas relay side by side without publishing the same row.
 */
export async function lockUnpublished(db: OutboxDb, limit: number): Promise<OutboxRow[]> {
  const { rows } = await lockUnpublishedQuery(db, { limit });
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
      ...(row.traceparent ? { traceparent: row.traceparent } : {}),
    },
  }));
}

const lockUnpublishedQuery = preparedQuery((p: { limit: number }, db: OutboxDb) =>
  outbox(db)
    .selectFrom("outbox")
    .selectAll()
    .where("publishedAt", "is", null)
    .orderBy("id")
    .limit(p.limit)
    .forUpdate()
    .skipLocked(),
);

export async function markPublished(db: OutboxDb, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await markPublishedQuery(db, { ids, at: new Date() });
}

const markPublishedQuery = preparedQuery((p: { ids: readonly number[]; at: Date }, db: OutboxDb) =>
  outbox(db).updateTable("outbox").set({ publishedAt: p.at }).where("id", "=", anyOf(p.ids, "bigint")),
);

/**
 * Deletes events published before the cutoff, in bounded batches; resolves to how many. Each batch
 * walks the primary key from the oldest row, not the whole table (published_at has no index: it
 * would cost every publication an index entry): rows are written in id order and published soon
 * after, so the prunable ones are those below the first row published since the cutoff. A row
 * still unpublished is skipped and kept, and never stops the walk.
 */
export function prunePublished(db: OutboxDb, before: Date): Promise<number> {
  return deleteInBatches(async (limit) => {
    const result = await outbox(db)
      .deleteFrom("outbox")
      .where("id", "in", (eb) =>
        eb
          .selectFrom("outbox")
          .select("id")
          .where("publishedAt", "<", before)
          .where(
            "id",
            "<",
            sql<number>`coalesce((select min(id) from outbox where published_at >= ${before}), ${Number.MAX_SAFE_INTEGER})`,
          )
          .orderBy("id")
          .limit(limit),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  });
}

export async function unpublishedCount(db: OutboxDb): Promise<number> {
  const { n } = await outbox(db)
    .selectFrom("outbox")
    .select(sql<number>`count(*)::int`.as("n"))
    .where("publishedAt", "is", null)
    .executeTakeFirstOrThrow();
  return n;
}

/** An outbox row's values, as the statement of `outboxInsert` takes them (its parameters). */
export interface OutboxValues {
  stream: string;
  eventId: string;
  eventType: string;
  eventVersion: number;
  /** The payload as JSON text. */
  payload: string;
  requestId: string;
  traceparent: string | null;
  occurredAt: Date;
}

export const outboxValues = (stream: string, event: DomainEvent): OutboxValues => ({
  stream,
  eventId: event.id,
  eventType: event.type,
  eventVersion: event.version,
  payload: JSON.stringify(event.payload),
  requestId: event.requestId,
  traceparent: event.traceparent ?? null,
  occurredAt: new Date(event.occurredAt),
});

/**
 * The outbox insert as a SQL fragment, for a caller that writes its change and its event in one
 * statement (a data-modifying CTE) instead of a transaction of several. Takes its values as they
 * are or as a prepared statement's parameters (`preparedQuery`).
 */
export function outboxInsert(v: OutboxValues) {
  return sql`insert into outbox (event_id, stream, type, version, payload, request_id, traceparent, occurred_at)
    values (${v.eventId}, ${v.stream}, ${v.eventType}, ${v.eventVersion}, ${v.payload}::jsonb,
            ${v.requestId}, ${v.traceparent}, ${v.occurredAt})`;
}
