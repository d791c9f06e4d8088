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

describe("a migration whose table a long transaction holds", () => {
  let lockedSchema: string;
  let app: Kysely<Db>;
  let migrator: Kysely<unknown>;
  const warnings: unknown[] = [];
  const logger = { warn: (fields: unknown) => void warnings.push(fields) } as never;

  beforeAll(async () => {
    const { postgresUrl } = await testInfra();
    lockedSchema = uniqueName("t_lock");
    app = createDatabase<Db>({ url: postgresUrl, schema: lockedSchema, poolMax: 3 });
    migrator = createDatabase({
      url: postgresUrl,
      schema: lockedSchema,
      poolMax: 1,
      statementTimeoutMs: 0,
      lockTimeoutMs: 200,
    });
    await migrateToLatest(migrator, lockedSchema, { "0001_widget": migrations["0001_widget"] as Migration });
  });

  afterAll(async () => {
    await sql`drop schema if exists ${sql.id(lockedSchema)} cascade`.execute(app);
    await Promise.all([app.destroy(), migrator.destroy()]);
  });

  /** Holds the widget table (a read in an open transaction) until the returned release is called. */
  async function holdWidgetTable(): Promise<{ release: () => void; ended: Promise<void> }> {
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let held = () => {};
    const holding = new Promise<void>((resolve) => {
      held = resolve;
    });
    const ended = app.transaction().execute(async (trx) => {
      await trx.selectFrom("widget").selectAll().execute();
      held();
      await released;
    });
    await holding;
    return { release, ended };
  }

  /** Resolves once the migration's ALTER is waiting for the table's lock. */
  async function alterWaiting(): Promise<void> {
    for (let i = 0; i < 500; i++) {
      const { rows } = await sql<{ n: number }>`
        select count(*) as n from pg_stat_activity
        where wait_event_type = 'Lock' and query ilike 'alter table%widget%'`.execute(app);
      if (rows[0]?.n) return;
      await Bun.sleep(20);
    }
    throw new Error("the migration never waited for the table's lock");
  }

  test("gives up after its lock timeout without retries, rolled back, naming itself", async () => {
    const holder = await holdWidgetTable();
    try {
      await expect(migrateToLatest(migrator, lockedSchema, migrations)).rejects.toThrow(
        /0002_widget_price failed.*lock timeout/,
      );
    } finally {
      holder.release();
      await holder.ended;
    }
    const columns = await sql<{ name: string }>`
      select column_name as name from information_schema.columns
      where table_schema = ${lockedSchema} and table_name = 'widget' and column_name = 'price_cents'`.execute(
      app,
    );
    expect(columns.rows).toEqual([]);
  });

  test("lets the live queries on the table through while it waits, and goes through once the transaction ends", async () => {
    const holder = await holdWidgetTable();
    const migrated = migrateToLatest(migrator, lockedSchema, migrations, {
      retryLockedForMs: 60_000,
      logger,
    });
    try {
      await alterWaiting();
      // Behind an ALTER that waited for ever, this read would wait until the holder ends: never,
      // here (the holder ends after it). With the lock timeout it waits at most one attempt's.
      const read = app
        .selectFrom("widget")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirst();
      const stuck = Bun.sleep(3_000).then(() => "stuck" as const);
      expect(await Promise.race([read.then(() => "answered" as const), stuck])).toBe("answered");
    } finally {
      holder.release();
      await holder.ended;
    }
    const result = await migrated;
    expect(result.results?.map((r) => [r.migrationName, r.status])).toEqual([
      ["0002_widget_price", "Success"],
    ]);
    expect(warnings.length).toBeGreaterThan(0);
  });
});
