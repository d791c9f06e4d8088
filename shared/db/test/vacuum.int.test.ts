import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { testInfra, uniqueName } from "@platform/testing";
import { type Kysely, sql } from "kysely";
import {
  createDatabase,
  defaultInsertVacuum,
  defaultStatistics,
  defaultVacuum,
  noInsertVacuum,
  vacuumAfterDeadRows,
  withoutStatistics,
} from "../src/index.js";

let db: Kysely<unknown>;
let schema: string;

beforeAll(async () => {
  const { postgresUrl } = await testInfra();
  schema = uniqueName("t_vacuum");
  db = createDatabase<unknown>({ url: postgresUrl, schema, poolMax: 1 });
  await sql`create schema ${sql.id(schema)}`.execute(db);
  await sql`create table ${sql.id(schema)}.job (id int primary key, done boolean not null, body text)`.execute(
    db,
  );
});

afterAll(async () => {
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
  await db.destroy();
});

/** The table's storage parameters, as Postgres keeps them. */
async function reloptions(): Promise<string[] | null> {
  const { rows } = await sql<{ reloptions: string[] | null }>`
    select reloptions from pg_class where oid = ${`${schema}.job`}::regclass`.execute(db);
  return rows[0]?.reloptions ?? null;
}

describe("autovacuum of a queue-like table", () => {
  test("is asked for after a fixed number of dead rows, and given back Postgres's defaults", async () => {
    await vacuumAfterDeadRows(db, "job", 10_000);
    expect(await reloptions()).toEqual([
      "autovacuum_vacuum_scale_factor=0",
      "autovacuum_vacuum_threshold=10000",
    ]);
    await defaultVacuum(db, "job");
    expect(await reloptions()).toBeNull();
  });

  test("is not asked for by inserts alone, and given back Postgres's default", async () => {
    await noInsertVacuum(db, "job");
    expect(await reloptions()).toEqual(["autovacuum_vacuum_insert_threshold=-1"]);
    await defaultInsertVacuum(db, "job");
    expect(await reloptions()).toBeNull();
  });
});

describe("planner statistics of unqueried columns", () => {
  /** Each column's statistics target: 0 is none; -1 (null from Postgres 17) is the default. */
  async function targets(): Promise<Record<string, number | null>> {
    const { rows } = await sql<{ attname: string; attstattarget: number | null }>`
      select attname, attstattarget from pg_attribute
      where attrelid = ${`${schema}.job`}::regclass and attnum > 0 order by attnum`.execute(db);
    return Object.fromEntries(
      rows.map((r) => [r.attname, r.attstattarget === null ? -1 : Number(r.attstattarget)]),
    );
  }

  test("are not gathered for the columns named, and gathered again after", async () => {
    await withoutStatistics(db, "job", ["body"]);
    expect(await targets()).toEqual({ id: -1, done: -1, body: 0 });
    await defaultStatistics(db, "job", ["body"]);
    expect(await targets()).toEqual({ id: -1, done: -1, body: -1 });
  });
});
