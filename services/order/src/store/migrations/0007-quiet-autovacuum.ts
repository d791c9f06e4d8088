import { defaultInsertVacuum, defaultStatistics, noInsertVacuum, withoutStatistics } from "@platform/db";
import type { Kysely } from "kysely";

/** Outbox columns only ever read back whole, never filtered or sorted on. */
const UNQUERIED = ["payload", "request_id", "traceparent"];

/**
 * The outbox and the reservation tasks are vacuumed for their dead rows (0006), not also for their
 * inserts, and ANALYZE leaves the outbox's payloads alone (see noInsertVacuum, withoutStatistics).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await noInsertVacuum(db, "outbox");
  await noInsertVacuum(db, "reservation_task");
  await withoutStatistics(db, "outbox", UNQUERIED);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await defaultStatistics(db, "outbox", UNQUERIED);
  await defaultInsertVacuum(db, "reservation_task");
  await defaultInsertVacuum(db, "outbox");
}
