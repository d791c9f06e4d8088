/**
 * Prepared statements for the hot path. Postgres parses and plans every statement it is sent; for
 * one sent hundreds of times a second (the order placement: six inserts in one statement) that is a
 * third of its cost. A statement that starts with `prepared()` is sent as a named statement
 * instead: parsed once per connection, its plan cached by Postgres, only Bind and Execute after
 * that. Kysely has no say in how node-postgres sends a query, so the pool's client class does it.
 *
 * Only for statements of a fixed shape: each distinct text is kept prepared for the life of the
 * connection (in Postgres and in node-postgres), so a statement whose text varies (an IN list of
 * varying length) would prepare a new one per variant.
 */
import { type Compilable, type Kysely, type QueryResult, type RawBuilder, sql } from "kysely";
import pg from "pg";

const MARK = "/* prepared */ ";

/** Put first in a hot statement of a fixed shape: `sql\`${prepared()} insert …\``. */
export const prepared = (): RawBuilder<unknown> => sql.raw(MARK);

/** Runs a hot query of a fixed shape built with Kysely's query builder as a prepared statement. */
export function runPrepared<R>(
  db: Pick<Kysely<unknown>, "executeQuery">,
  query: Compilable<R>,
): Promise<QueryResult<R>> {
  const compiled = query.compile();
  return db.executeQuery({ ...compiled, sql: MARK + compiled.sql });
}

/**
 * `column = any(list)` for a list of values (`.where("id", "=", anyOf(ids, "uuid"))`): one array
 * parameter whatever the list's length, so the statement keeps one shape (and can stay prepared)
 * where `in ($1, $2, …)` would be another statement for every length.
 */
export const anyOf = <T>(values: readonly T[], type: "uuid" | "bigint" | "int" | "text"): RawBuilder<T> =>
  sql<T>`any(${values}::${sql.raw(type)}[])`;

/** node-postgres' client, sending statements marked by `prepared()` as named ones. */
export class PreparingClient extends pg.Client {}

const send = pg.Client.prototype.query as (this: pg.Client, ...args: unknown[]) => unknown;
// Assigned rather than overridden: `query` has a dozen overloads, and only its call shape matters.
PreparingClient.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const [text, values, callback] = args;
  if (typeof text === "string" && text.startsWith(MARK) && Array.isArray(values)) {
    // Named by its text: two statements that differ in any way are two statements.
    return send.call(this, { name: `p${Bun.hash(text).toString(36)}`, text, values }, callback);
  }
  return send.apply(this, args);
} as pg.Client["query"];
