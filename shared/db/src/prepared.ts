/**
 * Prepared statements for the hot path. Postgres parses and plans every statement it is sent; for
 * one sent hundreds of times a second (the order placement: six inserts in one statement) that was
 * a third of its cost. And Kysely builds, transforms (plugins) and compiles a query afresh on every
 * call; for the placement's two dozen values that cost the order service more than the statement's
 * round trip.
 *
 * A statement made with `preparedQuery` is built and compiled once, with stand-ins for its
 * parameters; each call binds its values to them by name and sends the compiled text as a named
 * statement (the pool's client class does that: Kysely has no say in how node-postgres sends a
 * query), parsed and planned once per connection.
 *
 * Only for statements of one fixed shape: a list of varying length is one array parameter
 * (`anyOf`, `unnest`), never an IN list or a VALUES row per item.
 */
import {
  type Compilable,
  type CompiledQuery,
  type Kysely,
  type QueryResult,
  type RawBuilder,
  sql,
} from "kysely";
import pg from "pg";

/**
 * The statements to send prepared, by their text, and the name each is prepared under (its text's
 * hash: two statements that differ in any way are two statements). Filled as each is compiled.
 */
const NAMES = new Map<string, string>();

/** What stands in for a parameter while the statement is built. */
class Slot {
  constructor(readonly name: string) {}
}

/** A compiled statement's parameters: a named value to bind per call, or a constant of the text. */
type Binding = { name: string } | { constant: unknown };

/**
 * A hot statement of a fixed shape, compiled once and run prepared:
 *
 * ```ts
 * const byIds = preparedQuery((p: { ids: string[] }, db: Kysely<Db>) =>
 *   db.selectFrom("gadget").selectAll().where("id", "=", anyOf(p.ids, "uuid")));
 * const { rows } = await byIds(db, { ids });
 * ```
 *
 * `build` receives stand-ins for the parameters: it may only place them where a value goes,
 * never compute with them (derive values before the call). Plugins' query transforms run once,
 * when it is built; their result transforms run on every call as usual.
 */
// biome-ignore lint/suspicious/noExplicitAny: raw SQL is built without the database, so any database runs it.
export function preparedQuery<P extends object, R, DB = any>(
  build: (params: P, db: Kysely<DB>) => Compilable<R> | RawBuilder<R>,
): (db: Kysely<DB>, params: P) => Promise<QueryResult<R>> {
  let compiled: { query: CompiledQuery<R>; bindings: Binding[] } | undefined;
  return (db, params) => {
    compiled ??= compileOnce(build, db);
    const { query, bindings } = compiled;
    const values = params as Record<string, unknown>;
    const parameters = bindings.map((b) => ("name" in b ? values[b.name] : b.constant));
    return db.executeQuery({ ...query, parameters });
  };
}

function compileOnce<P extends object, R, DB>(
  build: (params: P, db: Kysely<DB>) => Compilable<R> | RawBuilder<R>,
  db: Kysely<DB>,
): { query: CompiledQuery<R>; bindings: Binding[] } {
  const standIns = new Proxy({} as P, {
    get: (_, name) => (typeof name === "string" ? new Slot(name) : undefined),
  });
  // A query builder compiles on its own; raw SQL needs the database for its dialect and plugins.
  const compiled = (build(standIns, db) as RawBuilder<R>).compile(db);
  const bindings = compiled.parameters.map(
    (value): Binding => (value instanceof Slot ? { name: value.name } : { constant: value }),
  );
  NAMES.set(compiled.sql, `p${Bun.hash(compiled.sql).toString(36)}`);
  return { query: compiled, bindings };
}

/**
 * `column = any(list)` for a list of values (`.where("id", "=", anyOf(ids, "uuid"))`): one array
 * parameter whatever the list's length, so the statement keeps one shape (and can stay prepared)
 * where `in ($1, $2, …)` would be another statement for every length.
 */
export const anyOf = <T>(values: readonly T[], type: "uuid" | "bigint" | "int" | "text"): RawBuilder<T> =>
  sql<T>`any(${values}::${sql.raw(type)}[])`;

/**
 * node-postgres' client, sending the statements of `preparedQuery` as named ones, and dropping its
 * connection when a query outwaits `query_timeout`: node-postgres fails the query but keeps the
 * connection, still waiting for that answer, and the pool would hand it out again to the next
 * query, and the next.
 */
export class PreparingClient extends pg.Client {}

const QUERY_TIMEOUT = "Query read timeout"; // node-postgres' words

/**
 * The query's answer never came (its connection went silent): unlike a statement Postgres
 * cancelled, it may have run and committed all the same, or may still. Outside a transaction only:
 * inside one, Kysely's ROLLBACK on the dropped connection fails and its error is the one thrown
 * (a dependency failure all the same; nothing of the transaction committed).
 */
export const answerLost = (error: unknown): boolean =>
  error instanceof Error && error.message === QUERY_TIMEOUT;

const send = pg.Client.prototype.query as (this: pg.Client, ...args: unknown[]) => unknown;
// Assigned rather than overridden: `query` has a dozen overloads, and only its call shape matters.
PreparingClient.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const [text, values, callback] = args;
  const name = typeof text === "string" ? NAMES.get(text) : undefined;
  const result =
    name && Array.isArray(values)
      ? send.call(this, { name, text, values }, callback)
      : send.apply(this, args);
  if (result instanceof Promise) {
    result.catch((error: unknown) => {
      if (answerLost(error)) {
        // Not queryable from now on, so the pool drops it when it comes back rather than lending
        // it once more before its socket has closed.
        const client = this as unknown as {
          _queryable: boolean;
          connection: { stream: { destroy(): void } };
        };
        client._queryable = false;
        client.connection.stream.destroy();
      }
    });
  }
  return result;
} as pg.Client["query"];
