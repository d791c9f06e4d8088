import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { testInfra, uniqueName } from "@platform/testing";
import { type Kysely, sql } from "kysely";
import { anyOf, createDatabase, preparedQuery } from "../src/index.js";

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
  test("raw SQL is prepared once per connection and answers with each call's values", async () => {
    const label = preparedQuery(
      (p: { id: number }) =>
        sql<{ displayLabel: string }>`select display_label from gadget where id = ${p.id}`,
    );
    expect((await label(db, { id: 1 })).rows).toEqual([{ displayLabel: "one" }]);
    expect((await label(db, { id: 3 })).rows).toEqual([{ displayLabel: "three" }]);
    const statements = await preparedStatements();
    expect(statements.filter((s) => s.includes("select display_label from gadget"))).toHaveLength(1);
  });

  test("a query built with Kysely runs prepared: its constants kept, its results through the plugins", async () => {
    const byIds = preparedQuery((p: { ids: number[]; label: string }, kysely: Kysely<Db>) =>
      kysely
        .selectFrom("gadget")
        .select(["id", "displayLabel"])
        .where("id", "=", anyOf(p.ids, "int"))
        .where((eb) => eb.or([eb("displayLabel", "!=", "two"), eb("displayLabel", "=", p.label)]))
        .orderBy("id"),
    );
    expect((await byIds(db, { ids: [2, 3], label: "two" })).rows).toEqual([
      { id: 2, displayLabel: "two" },
      { id: 3, displayLabel: "three" },
    ]);
    expect((await byIds(db, { ids: [1, 2], label: "none" })).rows).toEqual([{ id: 1, displayLabel: "one" }]);
    const statements = await preparedStatements();
    expect(statements.filter((s) => s.includes('from "gadget"'))).toHaveLength(1);
  });

  test("the same statement runs in a transaction and outside it", async () => {
    const rename = preparedQuery((p: { id: number; label: string }, kysely: Kysely<Db>) =>
      kysely
        .updateTable("gadget")
        .set({ displayLabel: p.label })
        .where("id", "=", p.id)
        .returning("displayLabel"),
    );
    await db
      .transaction()
      .execute(async (trx) => {
        expect((await rename(trx, { id: 3, label: "drei" })).rows).toEqual([{ displayLabel: "drei" }]);
        throw new Error("roll back");
      })
      .catch(() => undefined);
    const stored = await db
      .selectFrom("gadget")
      .select("displayLabel")
      .where("id", "=", 3)
      .executeTakeFirst();
    expect(stored).toEqual({ displayLabel: "three" });
    expect((await rename(db, { id: 2, label: "zwei" })).rows).toEqual([{ displayLabel: "zwei" }]);
    expect((await preparedStatements()).filter((s) => s.includes('update "gadget"'))).toHaveLength(1);
  });

  test("other statements are not kept prepared", async () => {
    await sql`select id from gadget where display_label = ${"two"}`.execute(db);
    expect((await preparedStatements()).some((s) => s.includes("where display_label ="))).toBe(false);
  });
});
