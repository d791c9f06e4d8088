import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("product")
    .addColumn("sku", "text", (c) => c.primaryKey().check(sql`sku ~ '^[A-Z0-9][A-Z0-9-]{1,63}$'`))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("price_cents", "bigint", (c) => c.notNull().check(sql`price_cents >= 0`))
    .addColumn("currency", "text", (c) => c.notNull().check(sql`currency ~ '^[A-Z]{3}$'`))
    .addColumn("low_stock_threshold", "integer", (c) => c.notNull().check(sql`low_stock_threshold >= 0`))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("product_price_idx").on("product").columns(["price_cents", "sku"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("product").execute();
}
