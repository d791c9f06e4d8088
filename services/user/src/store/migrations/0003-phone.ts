import { type Kysely, sql } from "kysely";

/** A user's phone (E.164), for the sms channel; optional. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("user")
    .addColumn("phone", "text", (c) => c.check(sql`phone ~ '^\\+[1-9][0-9]{6,14}$'`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("user").dropColumn("phone").execute();
}
