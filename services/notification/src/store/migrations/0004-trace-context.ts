import type { Kysely } from "kysely";

/** The trace of the event a notification came from, so its delivery continues that trace. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("notification").addColumn("traceparent", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("notification").dropColumn("traceparent").execute();
}
