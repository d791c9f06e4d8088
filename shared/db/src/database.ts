/**
 * Kysely over node-postgres. Each service owns one Postgres schema (users, orders, notifications)
 * and its connections put that schema first on the search_path, so migrations and queries name
 * tables without a schema and tests can run a service against a throwaway schema of their own.
 */
import type { Logger } from "@platform/logging";
import { recordFinishedSpan, tracingEnabled } from "@platform/telemetry";
import { CamelCasePlugin, Kysely, type LogEvent, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { PreparingClient } from "./prepared.js";

export interface DatabaseOptions {
  url: string;
  /** The service's schema, e.g. "orders". */
  schema: string;
  /**
   * Pool size. node-postgres queues queries past it; size it for the box: a 2-core machine with
   * six services and a few replicas each is well served by 5-10 per process.
   */
  poolMax?: number;
  /** Application name shown in pg_stat_activity. */
  applicationName?: string;
  /**
   * Where the pool reports an idle connection that broke (Postgres restarted). node-postgres emits
   * that as an `error` event, and with no listener it would end the process.
   */
  logger?: Pick<Logger, "warn">;
  /**
   * How long a statement may run before Postgres cancels it (rolled back, so its outcome is known:
   * a 503, a retry); 0 for no limit (migrations: an index on a big table takes its time). The
   * client waits 5 s longer for an answer, then fails the query and drops the connection: without
   * that, a connection gone silent (the server's host gone, a partition: no FIN, no RST) held its
   * query, and the pool's connection, until the kernel gave up on it, a quarter of an hour.
   */
  statementTimeoutMs?: number;
  /**
   * How long a statement waits for a lock before it fails with 55P03; 0 (the default) waits as
   * long as the statement timeout lets it. Migrations set it (see service-database.ts).
   */
  lockTimeoutMs?: number;
}

/** How much longer than the statement timeout the client waits for the server's answer. */
const ANSWER_GRACE_MS = 5_000;

/** Postgres ends a session left in an open transaction this long: its locks go with it. */
const IDLE_IN_TRANSACTION_MS = 60_000;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** int8 (bigint, count(*)) as a number: every integer we store (cents, quantities) is far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export function createDatabase<DB>({
  url,
  schema,
  poolMax = 10,
  applicationName,
  logger,
  statementTimeoutMs = 30_000,
  lockTimeoutMs = 0,
}: DatabaseOptions): Kysely<DB> {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name ${JSON.stringify(schema)}`);
  const pool = new pg.Pool({
    connectionString: url,
    max: poolMax,
    // A client that vanished mid-transaction (a partition) would otherwise keep its row locks
    // (the outbox relay's, the task worker's) until the server's TCP keepalive noticed: hours.
    options: [
      `-c search_path=${schema},public`,
      `-c idle_in_transaction_session_timeout=${IDLE_IN_TRANSACTION_MS}`,
      `-c statement_timeout=${statementTimeoutMs}`,
      `-c lock_timeout=${lockTimeoutMs}`,
    ].join(" "),
    application_name: applicationName ?? schema,
    connectionTimeoutMillis: 5_000,
    ...(statementTimeoutMs > 0 ? { query_timeout: statementTimeoutMs + ANSWER_GRACE_MS } : {}),
    idleTimeoutMillis: 30_000,
    types,
    Client: PreparingClient,
  });
  // A connection that breaks (Postgres restarting) makes its client emit `error`; with no listener
  // that ends the process. An idle client's error reaches the pool's listener; a client checked out
  // for a query or a transaction has none of the pool's, so each gets its own. The query in hand
  // fails (503 to a request, a retry for a loop) and the pool opens a new connection next time.
  const lost = (err: Error) => logger?.warn({ err: err.message, schema }, "a Postgres connection was lost");
  pool.on("connect", (client) => client.on("error", lost));
  pool.on("error", () => {}); // the client's own listener has logged it

  return new Kysely<DB>({
    dialect: new PostgresDialect({ pool }),
    plugins: [new CamelCasePlugin()],
    // Only with tracing on (startTracing comes first in every main.ts): otherwise no per-query hook.
    ...(tracingEnabled() ? { log: querySpan } : {}),
  });
}

/**
 * Every query as a span of the trace it runs in (none outside one): Kysely reports each query with
 * its duration once it ran, in the caller's async context, so the span is recorded after the fact.
 */
function querySpan(event: LogEvent): void {
  const text = event.query.sql;
  recordFinishedSpan(`postgres ${text.trimStart().split(/\s/, 1)[0]?.toLowerCase()}`, {
    durationMs: event.queryDurationMillis,
    attributes: {
      "db.system.name": "postgresql",
      "db.query.text": text.length > 2000 ? `${text.slice(0, 2000)}…` : text,
    },
    ...(event.level === "error" ? { error: event.error } : {}),
  });
}

/** For readiness checks. */
export async function pingDatabase(db: Kysely<unknown>): Promise<void> {
  await sql`select 1`.execute(db);
}
