import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { testInfra, uniqueName } from "@platform/testing";
import { type Kysely, sql } from "kysely";
import { createDatabase, defaultVacuum, vacuumAfterDeadRows } from "../src/index.js";

let db: Kysely<unknown>;
let schema: string;

beforeAll(async () => {
  const { postgresUrl } = await testInfra();
  schema = uniqueName("t_vacuum");
  db = createDatabase<unknown>({ url: postgresUrl, schema, poolMax: 1 });
  await sql`create schema ${sql.id(schema)}`.execute(db);
  await sql`create table ${sql.id(schema)}.job (id int primary key, done boolean not null)`.execute(db);
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
});
