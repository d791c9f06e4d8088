import type { Kysely } from "kysely";

/** Archived products: kept for the record (orders and events name them), never listed or sold. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("product").addColumn("archived_at", "timestamptz").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("product").dropColumn("archived_at").execute();
}
