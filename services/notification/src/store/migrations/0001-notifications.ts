import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("notification")
    .addColumn("id", "uuid", (c) => c.primaryKey())
    .addColumn("event_id", "text", (c) => c.notNull())
    .addColumn("event_type", "text", (c) => c.notNull())
    .addColumn("channel", "text", (c) =>
      c.notNull().check(sql`channel in ('log', 'email', 'webhook', 'websocket')`),
    )
    .addColumn("user_id", "uuid")
    .addColumn("order_id", "uuid")
    .addColumn("recipient", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("body_text", "text", (c) => c.notNull())
    .addColumn("body_html", "text", (c) => c.notNull())
    .addColumn("data", "jsonb", (c) => c.notNull())
    .addColumn("status", "text", (c) =>
      c.notNull().defaultTo("pending").check(sql`status in ('pending', 'sent', 'failed')`),
    )
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_error", "text")
    .addColumn("next_attempt_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("sent_at", "timestamptz")
    // One delivery per event and channel, however often the event is delivered to us.
    .addUniqueConstraint("notification_event_channel_key", ["event_id", "channel"])
    .execute();
  await sql`create index notification_due_idx on notification (next_attempt_at) where status = 'pending'`.execute(
    db,
  );
  await db.schema
    .createIndex("notification_user_idx")
    .on("notification")
    .columns(["user_id", "id desc"])
    .execute();
  await db.schema
    .createIndex("notification_order_idx")
    .on("notification")
    .columns(["order_id", "id desc"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("notification").execute();
}
