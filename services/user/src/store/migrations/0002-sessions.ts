import { type Kysely, sql } from "kysely";

/**
 * Sessions: one per login, the family of its refresh tokens. A refresh token is kept (hashed) after
 * it is spent, so a second use of it is recognised as theft and revokes its session.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("session")
    .addColumn("id", "uuid", (c) => c.primaryKey())
    .addColumn("user_id", "uuid", (c) => c.notNull().references("user.id").onDelete("cascade"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("expires_at", "timestamptz", (c) => c.notNull())
    .addColumn("revoked_at", "timestamptz")
    .execute();
  await db.schema.createIndex("session_user_idx").on("session").column("user_id").execute();
  await db.schema
    .createTable("refresh_token")
    // SHA-256 of the token: the token itself is never stored.
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("session_id", "uuid", (c) => c.notNull().references("session.id").onDelete("cascade"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("used_at", "timestamptz")
    .execute();
  await db.schema.createIndex("refresh_token_session_idx").on("refresh_token").column("session_id").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("refresh_token").execute();
  await db.schema.dropTable("session").execute();
}
