import type { Kysely } from "kysely";

/**
 * The owner's email and name at order time, so that order.status.updated can carry them like
 * order.created does and consumers (notifications) need no call back to the user service.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("order")
    .addColumn("owner_email", "text")
    .addColumn("owner_name", "text")
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("order").dropColumn("owner_email").dropColumn("owner_name").execute();
}
