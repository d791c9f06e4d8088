import { defaultInsertVacuum, defaultStatistics, noInsertVacuum, withoutStatistics } from "@platform/db";
import type { Kysely } from "kysely";

/** Columns only ever read back whole, never filtered or sorted on. */
const UNQUERIED = ["recipient", "subject", "body_text", "body_html", "data", "last_error", "traceparent"];

/**
 * Notifications are vacuumed for their dead rows (0005), not also for their inserts, and ANALYZE
 * leaves their bodies alone (see noInsertVacuum, withoutStatistics).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await noInsertVacuum(db, "notification");
  await withoutStatistics(db, "notification", UNQUERIED);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await defaultStatistics(db, "notification", UNQUERIED);
  await defaultInsertVacuum(db, "notification");
}
