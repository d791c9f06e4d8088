import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("order")
    // UUIDv7: time-ordered, so "newest first" is "id descending" and cursors are stable under inserts.
    .addColumn("id", "uuid", (c) => c.primaryKey())
    .addColumn("user_id", "uuid", (c) => c.notNull())
    .addColumn("status", "text", (c) =>
      c.notNull().check(sql`status in ('CONFIRMED', 'SHIPPED', 'DELIVERED', 'CANCELLED')`),
    )
    .addColumn("total_cents", "bigint", (c) => c.notNull().check(sql`total_cents >= 0`))
    .addColumn("currency", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("request_id", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("order_user_idx").on("order").columns(["user_id", "id desc"]).execute();
  await db.schema.createIndex("order_status_idx").on("order").columns(["status", "id desc"]).execute();

  await db.schema
    .createTable("order_item")
    .addColumn("order_id", "uuid", (c) => c.notNull().references("order.id").onDelete("cascade"))
    .addColumn("line_no", "integer", (c) => c.notNull())
    .addColumn("sku", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("unit_price_cents", "bigint", (c) => c.notNull())
    .addColumn("quantity", "integer", (c) => c.notNull().check(sql`quantity between 1 and 10000`))
    .addColumn("subtotal_cents", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("order_item_pk", ["order_id", "line_no"])
    .execute();

  await db.schema
    .createTable("order_status_history")
    .addColumn("order_id", "uuid", (c) => c.notNull().references("order.id").onDelete("cascade"))
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("order_status_history_pk", ["order_id", "version"])
    .execute();

  // Transactional outbox: written with the change it describes, published by the relay.
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

  // What a request with an Idempotency-Key answered (or is still working out), per user.
  await db.schema
    .createTable("idempotency_key")
    .addColumn("user_id", "uuid", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("request_hash", "text", (c) => c.notNull())
    .addColumn("order_id", "uuid", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull().check(sql`state in ('in_progress', 'done')`))
    .addColumn("locked_until", "timestamptz", (c) => c.notNull())
    .addColumn("response_status", "integer")
    .addColumn("response_body", "jsonb")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("idempotency_key_pk", ["user_id", "key"])
    .execute();

  // Inventory calls that must happen after a commit (Commit, Return), retried until they do.
  await db.schema
    .createTable("reservation_task")
    .addColumn("order_id", "uuid", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull().check(sql`action in ('commit', 'return')`))
    .addColumn("request_id", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_attempt_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("last_error", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("reservation_task_pk", ["order_id", "action"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    "reservation_task",
    "idempotency_key",
    "outbox",
    "order_status_history",
    "order_item",
    "order",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
