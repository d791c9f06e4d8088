import type { Kysely } from "kysely";

/** Which optional channels a user wants (email, sms, webhook); every one on until they say otherwise. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("user")
    .addColumn("notify_email", "boolean", (c) => c.notNull().defaultTo(true))
    .addColumn("notify_sms", "boolean", (c) => c.notNull().defaultTo(true))
    .addColumn("notify_webhook", "boolean", (c) => c.notNull().defaultTo(true))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("user")
    .dropColumn("notify_email")
    .dropColumn("notify_sms")
    .dropColumn("notify_webhook")
    .execute();
}
