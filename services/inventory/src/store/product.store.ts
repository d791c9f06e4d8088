/** The product catalog in Postgres: plain functions taking the database (or a transaction) first. */
import { containsPattern, isUniqueViolation } from "@platform/db";
import { AppError } from "@platform/errors";
import { type Kysely, sql } from "kysely";
import type { Product, ProductSort } from "../domain/product.js";
import type { InventoryDatabase } from "./product.table.js";

export type InventoryDb = Kysely<InventoryDatabase>;

export type NewProduct = Omit<Product, "createdAt" | "updatedAt">;
export type ProductPatch = Partial<Omit<NewProduct, "sku">>;

export async function insertProduct(db: InventoryDb, product: NewProduct): Promise<Product> {
  try {
    return await db.insertInto("product").values(product).returningAll().executeTakeFirstOrThrow();
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError("SKU_EXISTS", `A product with SKU ${product.sku} exists already.`);
    }
    throw error;
  }
}

/** A product of the catalog (archived ones are not). */
export function findProduct(db: InventoryDb, sku: string): Promise<Product | undefined> {
  return db
    .selectFrom("product")
    .selectAll()
    .where("sku", "=", sku)
    .where("archivedAt", "is", null)
    .executeTakeFirst();
}

export function findProducts(db: InventoryDb, skus: readonly string[]): Promise<Product[]> {
  if (skus.length === 0) return Promise.resolve([]);
  return db
    .selectFrom("product")
    .selectAll()
    .where("sku", "in", skus)
    .where("archivedAt", "is", null)
    .execute();
}

/**
 * A changed product's `updatedAt`, which versions its copy in the sellable catalog (Redis keeps the
 * newer copy): the database's clock, and always later than the version it replaces, so a change
 * made on a replica whose clock runs behind the last writer's is not taken for an older copy.
 */
const nextVersion = sql<Date>`greatest(clock_timestamp(), updated_at + interval '1 millisecond')`;

/** Archives a product of the catalog; the product as archived, or undefined when there is none. */
export function archiveProduct(db: InventoryDb, sku: string): Promise<Product | undefined> {
  return db
    .updateTable("product")
    .set({ archivedAt: sql`clock_timestamp()`, updatedAt: nextVersion })
    .where("sku", "=", sku)
    .where("archivedAt", "is", null)
    .returningAll()
    .executeTakeFirst();
}

/** Applies the changes; undefined when there is no such product. */
export function updateProduct(
  db: InventoryDb,
  sku: string,
  patch: ProductPatch,
): Promise<Product | undefined> {
  return db
    .updateTable("product")
    .set({ ...patch, updatedAt: nextVersion })
    .where("sku", "=", sku)
    .where("archivedAt", "is", null)
    .returningAll()
    .executeTakeFirst();
}

export interface ProductQuery {
  /** Case-insensitive substring of the name. */
  q?: string;
  category?: string;
  minPriceCents?: number;
  maxPriceCents?: number;
  sort?: ProductSort;
  /** Keyset pagination: products after this position in the sort. */
  after?: ProductPosition;
  limit: number;
}

/** Where a page ended: the sort key's value (as the database compares it) and the SKU. */
export interface ProductPosition {
  value: string | number;
  sku: string;
}

/** The sort's column, and its value as a cursor keeps it (a timestamp to the microsecond). */
const SORT_KEYS = {
  sku: { column: "sku", descending: false },
  name: { column: "name", descending: false },
  "-name": { column: "name", descending: true },
  priceCents: { column: "priceCents", descending: false },
  "-priceCents": { column: "priceCents", descending: true },
  "-createdAt": { column: "createdAt", descending: true },
} as const;

/** A page of products in the sort's order, ties by SKU; each with the value its position keeps. */
export async function listProducts(
  db: InventoryDb,
  query: ProductQuery,
): Promise<Array<Product & { sortValue: string | number }>> {
  const { column, descending } = SORT_KEYS[query.sort ?? "sku"];
  const key =
    column === "createdAt"
      ? sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
      : sql<string | number>`${sql.ref(column)}`;
  let select = db
    .selectFrom("product")
    .selectAll()
    .select(key.as("sortValue"))
    .where("archivedAt", "is", null)
    .orderBy(sql.ref(column), descending ? "desc" : "asc")
    .orderBy("sku")
    .limit(query.limit);
  if (query.q) select = select.where("name", "ilike", containsPattern(query.q));
  if (query.category) select = select.where("category", "=", query.category);
  if (query.minPriceCents !== undefined) select = select.where("priceCents", ">=", query.minPriceCents);
  if (query.maxPriceCents !== undefined) select = select.where("priceCents", "<=", query.maxPriceCents);
  const after = query.after;
  if (after) {
    const value = column === "createdAt" ? sql`${after.value}::timestamptz` : sql`${after.value}`;
    const beyond = descending ? sql`${sql.ref(column)} < ${value}` : sql`${sql.ref(column)} > ${value}`;
    select = select.where(
      sql<boolean>`(${beyond} or (${sql.ref(column)} = ${value} and sku > ${after.sku}))`,
    );
  }
  return (await select.execute()) as Array<Product & { sortValue: string | number }>;
}
