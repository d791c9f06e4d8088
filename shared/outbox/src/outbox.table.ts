/**
 * The transactional outbox table, the same in every service that publishes from Postgres: events
 * are written in the transaction of the change they describe and published by the relay.
 */
import { type ColumnType, type Generated, type JSONColumnType, type Kysely, sql } from "kysely";

export interface OutboxTable {
  id: Generated<number>;
  eventId: string;
  stream: string;
  type: string;
  version: number;
  payload: JSONColumnType<Record<string, unknown>, string, string>;
  requestId: string;
  /** Where the event was made, when inside a trace: the relay continues it (addOutboxTraceparent). */
  traceparent: ColumnType<string | null, string | null | undefined, string | null>;
  occurredAt: Date;
  publishedAt: ColumnType<Date | null, Date | null, Date | null>;
}

export interface OutboxDatabase {
  outbox: OutboxTable;
}

/** For a service's migration: the outbox table and the index the relay reads by. */
export async function createOutboxTable(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("outbox")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("event_id", "uuid", (c) => c.notNull().unique())
    .addColumn("stream", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("payload", "jsonb", (c) => c.notNull())
    .addColumn("request_id", "text", (c) => c.notNull())
    .addColumn("occurred_at", "timestamptz", (c) => c.notNull())
    .addColumn("published_at", "timestamptz")
    .execute();
  await sql`create index outbox_unpublished_idx on outbox (id) where published_at is null`.execute(db);
}

/** For a service's migration: the column that keeps an event's trace context until it is relayed. */
export async function addOutboxTraceparent(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("outbox").addColumn("traceparent", "text").execute();
}

export async function dropOutboxTraceparent(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("outbox").dropColumn("traceparent").execute();
}
