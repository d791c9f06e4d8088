import type { Kysely } from "kysely";

/**
 * The owner's phone and channel preferences at order time, carried on the order's events like the
 * email and name, so the notification service honours them without a call per event.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("order")
    .addColumn("owner_phone", "text")
    .addColumn("owner_preferences", "jsonb")
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("order").dropColumn("owner_phone").dropColumn("owner_preferences").execute();
}
