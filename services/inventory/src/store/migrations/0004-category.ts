import { type Kysely, sql } from "kysely";

/** An optional category per product, for browsing by it. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("product")
    .addColumn("category", "text", (c) => c.check(sql`char_length(category) between 1 and 50`))
    .execute();
  await db.schema.createIndex("product_category_idx").on("product").column("category").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("product").dropColumn("category").execute();
}
