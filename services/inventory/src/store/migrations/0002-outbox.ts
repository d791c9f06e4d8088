import { createOutboxTable } from "@platform/outbox";
import type { Kysely } from "kysely";

/**
 * The catalog's own transactional outbox: product events are written in the product's transaction,
 * so one is published only for a change that committed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createOutboxTable(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("outbox").execute();
}
