/**
 * A service's database, ready to use: the pool on its schema, migrated to the latest version.
 * What every main.ts does first (waiting for a Postgres that is not up yet), and what
 * `bun run migrate` does alone.
 */
import { waitForDependency } from "@platform/jobs";
import type { Logger } from "@platform/logging";
import type { Kysely } from "kysely";
import type { Migration } from "kysely/migration";
import { createDatabase } from "./database.js";
import { migrateToLatest } from "./migrate.js";

export interface ServiceDatabaseConfig {
  POSTGRES_URL: string;
  POSTGRES_SCHEMA: string;
  POSTGRES_POOL_MAX: number;
  /** How long start-up waits for a dependency that does not answer yet. */
  STARTUP_TIMEOUT_MS: number;
}

export async function openServiceDatabase<DB>(
  service: string,
  config: ServiceDatabaseConfig,
  migrations: Record<string, Migration>,
  logger: Logger,
): Promise<Kysely<DB>> {
  const migrator = migrationDatabase(config, service, logger);
  try {
    await waitForDependency("postgres", () => migrateToLatest(migrator, config.POSTGRES_SCHEMA, migrations), {
      logger,
      timeoutMs: config.STARTUP_TIMEOUT_MS,
    });
  } finally {
    await migrator.destroy();
  }
  return createDatabase<DB>({
    url: config.POSTGRES_URL,
    schema: config.POSTGRES_SCHEMA,
    poolMax: config.POSTGRES_POOL_MAX,
    applicationName: service,
    logger,
  });
}

/** `bun run migrate`: applies a service's migrations, prints what it did, and closes the pool. */
export async function migrateCommand(
  service: string,
  config: Omit<ServiceDatabaseConfig, "STARTUP_TIMEOUT_MS">,
  migrations: Record<string, Migration>,
): Promise<void> {
  const db = migrationDatabase(config, service);
  try {
    const { results = [] } = await migrateToLatest(db, config.POSTGRES_SCHEMA, migrations);
    for (const result of results) console.log(`${result.migrationName}: ${result.status}`);
    console.log(
      results.length === 0
        ? `${service}: schema up to date`
        : `${service}: ${results.length} migration(s) applied`,
    );
  } finally {
    await db.destroy();
  }
}

/**
 * One connection for migrations, without the statements' time limit: an index built on a big
 * table takes the time it takes.
 */
function migrationDatabase(
  config: Pick<ServiceDatabaseConfig, "POSTGRES_URL" | "POSTGRES_SCHEMA">,
  service: string,
  logger?: Logger,
): Kysely<unknown> {
  return createDatabase<unknown>({
    url: config.POSTGRES_URL,
    schema: config.POSTGRES_SCHEMA,
    poolMax: 1,
    applicationName: service,
    logger,
    statementTimeoutMs: 0,
  });
}
