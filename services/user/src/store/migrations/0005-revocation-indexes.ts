import { type Kysely, sql } from "kysely";

/**
 * What republish-revocations.ts reads at start-up and whenever Redis comes back: the sessions
 * revoked, and the users deactivated, within the access tokens' lifetime — by index, not by reading
 * every session ever kept.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex("session_revoked_at_idx")
    .on("session")
    .column("revoked_at")
    .where(sql.ref("revoked_at"), "is not", null)
    .execute();
  await db.schema
    .createIndex("user_deactivated_idx")
    .on("user")
    .column("updated_at")
    .where(sql.ref("status"), "=", "disabled")
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("user_deactivated_idx").execute();
  await db.schema.dropIndex("session_revoked_at_idx").execute();
}
