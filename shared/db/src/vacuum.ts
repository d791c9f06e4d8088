import { type Kysely, sql } from "kysely";

/**
 * For a migration of a queue-like table, whose rows are updated or deleted seconds after they are
 * inserted (an outbox, delivery bookkeeping, tasks): autovacuum it once `deadRows` dead rows have
 * piled up, instead of Postgres's default of a fifth of the table. Until a vacuum, the dead rows'
 * entries stay in the table's indexes, and every query that walks the oldest entries of a partial
 * index (the relay's unpublished events, the lanes' due notifications) steps over all of them: with
 * the default, a table of a million rows gathers 200,000 before it is cleaned, and each of those
 * queries gets slower all the while (measured: BENCHMARKS.md, 2026-11-26 fifth session).
 */
export async function vacuumAfterDeadRows(
  db: Kysely<unknown>,
  table: string,
  deadRows: number,
): Promise<void> {
  await sql`alter table ${sql.table(table)} set (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = ${sql.lit(deadRows)})`.execute(
    db,
  );
}

/** Undoes vacuumAfterDeadRows: Postgres's defaults again. */
export async function defaultVacuum(db: Kysely<unknown>, table: string): Promise<void> {
  await sql`alter table ${sql.table(table)} reset (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold)`.execute(
    db,
  );
}
