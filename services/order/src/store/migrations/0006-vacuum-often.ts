import { defaultVacuum, vacuumAfterDeadRows } from "@platform/db";
import type { Kysely } from "kysely";

/**
 * An order's outbox rows are marked published, and its reservation tasks deleted, within moments of
 * the order: both tables are vacuumed after every 10,000 dead rows, so the relay's read of the
 * unpublished events stays short (see vacuumAfterDeadRows).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await vacuumAfterDeadRows(db, "outbox", 10_000);
  await vacuumAfterDeadRows(db, "reservation_task", 10_000);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await defaultVacuum(db, "reservation_task");
  await defaultVacuum(db, "outbox");
}
