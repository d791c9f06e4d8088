import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { testInfra, uniqueName } from "@platform/testing";
import { type Kysely, sql } from "kysely";
import { anyOf, createDatabase, prepared, runPrepared } from "../src/index.js";

interface Db {
  gadget: { id: number; displayLabel: string };
}

let db: Kysely<Db>;
let schema: string;

beforeAll(async () => {
  const { postgresUrl } = await testInfra();
  schema = uniqueName("t_prepared");
  db = createDatabase<Db>({ url: postgresUrl, schema, poolMax: 1 });
  await sql`create schema ${sql.id(schema)}`.execute(db);
  await sql`create table ${sql.id(schema)}.gadget (id int primary key, display_label text not null)`.execute(
    db,
  );
  await sql`insert into ${sql.id(schema)}.gadget values (1, 'one'), (2, 'two'), (3, 'three')`.execute(db);
});

afterAll(async () => {
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
  await db.destroy();
});

/** The statements this connection (the pool has one) holds prepared. */
async function preparedStatements(): Promise<string[]> {
  const { rows } = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(db);
  return rows.map((r) => r.statement);
}

describe("prepared statements", () => {
  test("a marked statement is prepared once per connection and answers with each call's values", async () => {
    const label = (id: number) =>
      sql<{ displayLabel: string }>`${prepared()}select display_label from gadget where id = ${id}`.execute(
        db,
      );
    expect((await label(1)).rows).toEqual([{ displayLabel: "one" }]);
    expect((await label(3)).rows).toEqual([{ displayLabel: "three" }]);
    const statements = await preparedStatements();
    expect(statements.filter((s) => s.includes("select display_label from gadget"))).toHaveLength(1);
  });

  test("a query built with Kysely runs prepared, its results through the plugins as usual", async () => {
    const byIds = (ids: number[]) =>
      runPrepared(
        db,
        db
          .selectFrom("gadget")
          .select(["id", "displayLabel"])
          .where("id", "=", anyOf(ids, "int"))
          .orderBy("id"),
      );
    expect((await byIds([2, 3])).rows).toEqual([
      { id: 2, displayLabel: "two" },
      { id: 3, displayLabel: "three" },
    ]);
    expect((await byIds([1])).rows).toEqual([{ id: 1, displayLabel: "one" }]);
    const statements = await preparedStatements();
    expect(statements.filter((s) => s.includes('from "gadget"'))).toHaveLength(1);
  });

  test("an unmarked statement is not kept prepared", async () => {
    await sql`select id from gadget where display_label = ${"two"}`.execute(db);
    expect((await preparedStatements()).some((s) => s.includes("where display_label ="))).toBe(false);
  });
});
