/**
 * A service's database, ready to use: the pool on its schema, migrated to the latest version.
 * What every main.ts does first (waiting for a Postgres that is not up yet), and what
 * `bun run migrate` does alone.
 */
import { waitForDependency } from "@platform/jobs";
import { createLogger, type Logger } from "@platform/logging";
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
    // One deadline for both waits: for Postgres to answer, and for a locked table.
    const deadline = Date.now() + config.STARTUP_TIMEOUT_MS;
    const migrate = () =>
      migrateToLatest(migrator, config.POSTGRES_SCHEMA, migrations, {
        retryLockedForMs: Math.max(0, deadline - Date.now()),
        logger,
      });
    await waitForDependency("postgres", migrate, { logger, timeoutMs: config.STARTUP_TIMEOUT_MS });
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
    const { results = [] } = await migrateToLatest(db, config.POSTGRES_SCHEMA, migrations, {
      retryLockedForMs: COMMAND_RETRY_LOCKED_FOR_MS,
      logger: createLogger({ service }),
    });
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

/** `bun run migrate` keeps trying this long while a table it alters is locked by a transaction. */
const COMMAND_RETRY_LOCKED_FOR_MS = 120_000;

/**
 * How long a migration's statement waits for a table's lock: while it waits, every other query on
 * the table waits behind it, so the live replicas stall for at most this long per attempt.
 */
const MIGRATION_LOCK_TIMEOUT_MS = 2_000;

/**
 * One connection for migrations, without the statements' time limit (an index built on a big table
 * takes the time it takes) but with a short lock timeout (above; migrate.ts tries again).
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
    lockTimeoutMs: MIGRATION_LOCK_TIMEOUT_MS,
  });
}
