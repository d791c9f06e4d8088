import { type Kysely, sql } from "kysely";

/**
 * Idempotency keys are pruned by age in batches (pruneKeys): an index on created_at finds the old
 * ones without reading a day of keys every minute.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index idempotency_key_created_idx on idempotency_key (created_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index idempotency_key_created_idx`.execute(db);
}
