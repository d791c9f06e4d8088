/** The product catalog in Postgres: plain functions taking the database (or a transaction) first. */
import { containsPattern, isUniqueViolation } from "@platform/db";
import { AppError } from "@platform/errors";
import type { Kysely } from "kysely";
import type { Product } from "../domain/product.js";
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

/** Archives a product of the catalog; the product as archived, or undefined when there is none. */
export function archiveProduct(db: InventoryDb, sku: string): Promise<Product | undefined> {
  const now = new Date();
  return db
    .updateTable("product")
    .set({ archivedAt: now, updatedAt: now })
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
    .set({ ...patch, updatedAt: new Date() })
    .where("sku", "=", sku)
    .where("archivedAt", "is", null)
    .returningAll()
    .executeTakeFirst();
}

export interface ProductQuery {
  /** Case-insensitive substring of the name. */
  q?: string;
  minPriceCents?: number;
  maxPriceCents?: number;
  /** Keyset pagination: products after this SKU. */
  afterSku?: string;
  limit: number;
}

/** A page of products in SKU order. */
export function listProducts(db: InventoryDb, query: ProductQuery): Promise<Product[]> {
  let select = db
    .selectFrom("product")
    .selectAll()
    .where("archivedAt", "is", null)
    .orderBy("sku")
    .limit(query.limit);
  if (query.q) select = select.where("name", "ilike", containsPattern(query.q));
  if (query.minPriceCents !== undefined) select = select.where("priceCents", ">=", query.minPriceCents);
  if (query.maxPriceCents !== undefined) select = select.where("priceCents", "<=", query.maxPriceCents);
  if (query.afterSku) select = select.where("sku", ">", query.afterSku);
  return select.execute();
}

/** A search for "50%" means the characters, not a pattern. */
