import { addOutboxTraceparent, createOutboxTable } from "@platform/outbox";
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("payment")
    .addColumn("id", "uuid", (c) => c.primaryKey())
    // One payment per order: a second request for it finds the first.
    .addColumn("order_id", "uuid", (c) => c.notNull().unique())
    .addColumn("user_id", "uuid", (c) => c.notNull())
    .addColumn("provider", "text", (c) => c.notNull())
    .addColumn("reference", "text", (c) => c.unique())
    .addColumn("client_secret", "text")
    .addColumn("status", "text", (c) =>
      c
        .notNull()
        .check(sql`status in ('PENDING', 'REQUIRES_ACTION', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'REFUNDED')`),
    )
    .addColumn("amount_cents", "bigint", (c) => c.notNull().check(sql`amount_cents >= 0`))
    // Past amount_cents when money taken for another amount than the order's went back.
    .addColumn("refunded_cents", "bigint", (c) => c.notNull().defaultTo(0).check(sql`refunded_cents >= 0`))
    .addColumn("currency", "text", (c) => c.notNull())
    .addColumn("owner", "jsonb", (c) => c.notNull())
    .addColumn("failed_attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("order_cancelled", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("request_id", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("payment_user_idx").on("payment").columns(["user_id", "id desc"]).execute();

  await db.schema
    .createTable("payment_attempt")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("payment_id", "uuid", (c) => c.notNull().references("payment.id").onDelete("cascade"))
    .addColumn("outcome", "text", (c) =>
      c.notNull().check(sql`outcome in ('SUCCEEDED', 'DECLINED', 'REQUIRES_ACTION', 'MISMATCH')`),
    )
    .addColumn("message", "text")
    .addColumn("provider_event_id", "text", (c) => c.notNull())
    .addColumn("at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex("payment_attempt_payment_idx")
    .on("payment_attempt")
    .column("payment_id")
    .execute();

  await db.schema
    .createTable("refund")
    .addColumn("id", "uuid", (c) => c.primaryKey())
    .addColumn("payment_id", "uuid", (c) => c.notNull().references("payment.id").onDelete("cascade"))
    .addColumn("amount_cents", "bigint", (c) => c.notNull().check(sql`amount_cents > 0`))
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('PENDING', 'SUCCEEDED', 'FAILED')`))
    .addColumn("reference", "text")
    .addColumn("request_id", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("refund_payment_idx").on("refund").column("payment_id").execute();

  await db.schema
    .createTable("provider_event")
    .addColumn("provider", "text", (c) => c.notNull())
    .addColumn("event_id", "text", (c) => c.notNull())
    .addColumn("payment_id", "uuid", (c) => c.notNull())
    .addColumn("received_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("provider_event_pk", ["provider", "event_id"])
    .execute();

  await createOutboxTable(db);
  await addOutboxTraceparent(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["outbox", "provider_event", "refund", "payment_attempt", "payment"]) {
    await db.schema.dropTable(table).execute();
  }
}
