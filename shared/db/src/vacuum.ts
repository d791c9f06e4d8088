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

/**
 * For the same tables: no autovacuum merely because rows were inserted (Postgres's insert-triggered
 * vacuum, after 1,000 inserts and a fifth of the table). Their dead rows bring one often enough;
 * the inserts, on a young table, brought one at every autovacuum round, a burst of CPU on the
 * very seconds of the order path's latency spikes (BENCHMARKS.md, 2026-12-06).
 */
export async function noInsertVacuum(db: Kysely<unknown>, table: string): Promise<void> {
  await sql`alter table ${sql.table(table)} set (autovacuum_vacuum_insert_threshold = -1)`.execute(db);
}

/** Undoes noInsertVacuum. */
export async function defaultInsertVacuum(db: Kysely<unknown>, table: string): Promise<void> {
  await sql`alter table ${sql.table(table)} reset (autovacuum_vacuum_insert_threshold)`.execute(db);
}

/**
 * No planner statistics for columns no query filters, joins or sorts on (bodies, payloads): ANALYZE
 * then skips reading and summarising their values, which for wide text and JSON was most of its
 * work on such a table.
 */
export function withoutStatistics(db: Kysely<unknown>, table: string, columns: string[]): Promise<void> {
  return setStatistics(db, table, columns, 0);
}

/** Undoes withoutStatistics: the default statistics target again. */
export function defaultStatistics(db: Kysely<unknown>, table: string, columns: string[]): Promise<void> {
  return setStatistics(db, table, columns, -1);
}

/** One ALTER TABLE for all the columns. */
async function setStatistics(
  db: Kysely<unknown>,
  table: string,
  columns: string[],
  target: number,
): Promise<void> {
  const clauses = columns.map(
    (column) => sql`alter column ${sql.id(column)} set statistics ${sql.lit(target)}`,
  );
  await sql`alter table ${sql.table(table)} ${sql.join(clauses)}`.execute(db);
}
