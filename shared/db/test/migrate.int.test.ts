import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { testInfra, uniqueName } from "@platform/testing";
import { type Generated, type Kysely, sql } from "kysely";
import { createDatabase, type Migration, migrateToLatest, pingDatabase } from "../src/index.js";

interface Db {
  widget: { id: string; displayName: string; priceCents: number; createdAt: Generated<Date> };
}

const migrations: Record<string, Migration> = {
  "0001_widget": {
    up: async (db) => {
      await db.schema
        .createTable("widget")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("display_name", "text", (c) => c.notNull())
        .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
    },
  },
  "0002_widget_price": {
    up: async (db) => {
      await db.schema
        .alterTable("widget")
        .addColumn("price_cents", "bigint", (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
};

let db: Kysely<Db>;
let schema: string;

beforeAll(async () => {
  const { postgresUrl } = await testInfra();
  schema = uniqueName("t_db");
  db = createDatabase<Db>({ url: postgresUrl, schema, poolMax: 2 });
});

afterAll(async () => {
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
  await db.destroy();
});

describe("migrateToLatest", () => {
  test("creates the schema, applies every migration once, and the service queries its tables", async () => {
    const first = await migrateToLatest(db as Kysely<unknown>, schema, migrations);
    expect(first.results?.map((r) => [r.migrationName, r.status])).toEqual([
      ["0001_widget", "Success"],
      ["0002_widget_price", "Success"],
    ]);
    const again = await migrateToLatest(db as Kysely<unknown>, schema, migrations);
    expect(again.results).toEqual([]);

    // The tables live in the service's schema, not in public.
    const tables = await sql<{ tableSchema: string }>`
      select table_schema from information_schema.tables where table_name = 'widget' and table_schema = ${schema}`.execute(
      db,
    );
    expect(tables.rows).toEqual([{ tableSchema: schema }]);

    await db
      .insertInto("widget")
      .values([
        { id: "w1", displayName: "Bolt'; drop table widget; --", priceCents: 250 },
        { id: "w2", displayName: "Nut", priceCents: 9_007_199_254 },
      ])
      .execute();
    const rows = await db
      .selectFrom("widget")
      .select(["id", "displayName", "priceCents"])
      .orderBy("id")
      .execute();
    expect(rows).toEqual([
      { id: "w1", displayName: "Bolt'; drop table widget; --", priceCents: 250 },
      { id: "w2", displayName: "Nut", priceCents: 9_007_199_254 },
    ]);
    await pingDatabase(db as Kysely<unknown>);
  });

  test("a failing migration names itself and leaves the earlier ones applied", async () => {
    const broken = {
      ...migrations,
      "0003_broken": {
        up: async (trx: Kysely<unknown>) => void (await sql`select * from no_such_table`.execute(trx)),
      },
    };
    await expect(migrateToLatest(db as Kysely<unknown>, schema, broken)).rejects.toThrow(
      /0003_broken failed/,
    );
    const count = await db
      .selectFrom("widget")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(count.n).toBe(2);
  });
});
