/**
 * Runs a service's Kysely migrations into its own schema, at start-up or through `bun run migrate`.
 * Migrations are passed in as modules (not discovered on disk) so they bundle and type-check.
 *
 * They run in one transaction (Postgres has transactional DDL). On a connection with a lock
 * timeout (service-database.ts), a migration that cannot take a table's lock in time — a long
 * transaction of a live replica or of someone's psql holds it — fails and is rolled back, and is
 * tried again a little later, for up to `retryLockedForMs`: while an ALTER waits for its lock, every
 * query of the live replicas on that table queues behind it, so an unbounded wait is an outage.
 */
import { backoffDelay } from "@platform/jobs";
import type { Logger } from "@platform/logging";
import { type Kysely, sql } from "kysely";
import { type Migration, type MigrationResultSet, Migrator } from "kysely/migration";
import { isLockNotAvailable, isUniqueViolation } from "./errors.js";

export interface MigrateOptions {
  /** How long to keep trying while a migration finds its table locked (0: fail at once). */
  retryLockedForMs?: number;
  logger?: Pick<Logger, "warn">;
}

export async function migrateToLatest(
  db: Kysely<unknown>,
  schema: string,
  migrations: Record<string, Migration>,
  { retryLockedForMs = 0, logger }: MigrateOptions = {},
): Promise<MigrationResultSet> {
  const deadline = Date.now() + retryLockedForMs;
  for (let attempt = 1; ; attempt++) {
    const result = await migrateOnce(db, schema, migrations);
    if (!result.error) return result;
    const delayMs = backoffDelay(1_000, attempt - 1, 10_000);
    if (!isLockNotAvailable(result.error) || Date.now() + delayMs > deadline) {
      const failed = result.results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
      throw new Error(`migration ${failed} failed in schema ${schema}: ${String(result.error)}`, {
        cause: result.error,
      });
    }
    logger?.warn(
      { schema, attempt, retryInMs: delayMs },
      "a migration could not take its table's lock in time (a long transaction holds it); trying again",
    );
    await Bun.sleep(delayMs);
  }
}

async function migrateOnce(
  db: Kysely<unknown>,
  schema: string,
  migrations: Record<string, Migration>,
): Promise<MigrationResultSet> {
  try {
    await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  } catch (error) {
    // Two replicas starting together can both try; the loser's insert into pg_namespace fails.
    if (!isUniqueViolation(error)) throw error;
  }
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: schema,
  });
  return migrator.migrateToLatest();
}
