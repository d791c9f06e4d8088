import { defaultVacuum, vacuumAfterDeadRows } from "@platform/db";
import type { Kysely } from "kysely";

/**
 * Every notification is updated within seconds of its insert (claimed by a lane, unless it was
 * stored claimed, then sent): vacuumed after every 10,000 dead rows, so the lanes' claims do not
 * wade through the old versions' entries in the due index (see vacuumAfterDeadRows).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await vacuumAfterDeadRows(db, "notification", 10_000);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await defaultVacuum(db, "notification");
}
