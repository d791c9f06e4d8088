/**
 * Runs a service's Kysely migrations into its own schema, at start-up or through `bun run migrate`.
 * Migrations are passed in as modules (not discovered on disk) so they bundle and type-check.
 */
import { type Kysely, sql } from "kysely";
import { type Migration, type MigrationResultSet, Migrator } from "kysely/migration";
import { isUniqueViolation } from "./errors.js";

export async function migrateToLatest(
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
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`migration ${failed} failed in schema ${schema}: ${String(result.error)}`, {
      cause: result.error,
    });
  }
  return result;
}
