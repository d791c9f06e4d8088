/**
 * Catalog use cases: the catalog lives in Postgres, the stock in Redis, and the events go through
 * the Redis outbox. A product and its stock are created together: if Redis cannot take the stock,
 * the product's transaction rolls back and the request fails, so no product silently has none.
 */
import { newEvent } from "@platform/events";
import { decodeCursor, encodeCursor, notFound } from "@platform/http";
import {
  type Product,
  type ProductView,
  productSnapshot,
  SKU_PATTERN,
  toProductView,
} from "../domain/product.js";
import { type StockLevel, stockStatus } from "../domain/stock.js";
import type { OutboxRelay } from "../events/outbox-relay.js";
import type { StockStore } from "../stock/stock-store.js";
import {
  findProduct,
  type InventoryDb,
  insertProduct,
  listProducts,
  type NewProduct,
  type ProductPatch,
  updateProduct,
} from "./product.store.js";

export interface CatalogDeps {
  db: InventoryDb;
  stock: StockStore;
  relay: OutboxRelay;
}

export async function createProduct(
  { db, stock, relay }: CatalogDeps,
  input: NewProduct & { initialStock: number },
  requestId: string,
): Promise<ProductView> {
  const { initialStock, ...fields } = input;
  const product = await db.transaction().execute(async (trx) => {
    const created = await insertProduct(trx, fields);
    const event = newEvent(
      "product.created",
      { product: productSnapshot(created), initialStock },
      { requestId },
    );
    await stock.setStock(created.sku, initialStock, created.lowStockThreshold, event);
    return created;
  });
  relay.nudge();
  // The stock was set in the same request: no need to read it back.
  return toProductView(product, {
    sku: product.sku,
    available: initialStock,
    reserved: 0,
    threshold: product.lowStockThreshold,
  });
}

export async function patchProduct(
  { db, stock, relay }: CatalogDeps,
  sku: string,
  patch: ProductPatch,
  requestId: string,
): Promise<ProductView> {
  const product = await db.transaction().execute(async (trx) => {
    const updated = await updateProduct(trx, sku, patch);
    if (!updated) throw notFound(`No product ${sku}.`);
    if (patch.lowStockThreshold !== undefined) await stock.setThreshold(sku, patch.lowStockThreshold);
    await stock.enqueue(
      newEvent("product.updated", { sku, changes: patch, product: productSnapshot(updated) }, { requestId }),
    );
    return updated;
  });
  relay.nudge();
  return view(stock, product);
}

export async function replenish(
  { stock, relay }: CatalogDeps,
  sku: string,
  quantity: number,
  requestId: string,
) {
  const outcome = await stock.replenish(sku, quantity, requestId);
  if (outcome.result === "not_found") throw notFound(`No product ${sku}.`);
  relay.nudge();
  const { available, reserved, threshold } = outcome;
  return { sku, available, reserved, stockStatus: stockStatus({ available, threshold }) };
}

export async function getProduct({ db, stock }: CatalogDeps, sku: string): Promise<ProductView> {
  const product = await findProduct(db, sku);
  if (!product) throw notFound(`No product ${sku}.`);
  return view(stock, product);
}

export interface ProductListQuery {
  q?: string;
  minPriceCents?: number;
  maxPriceCents?: number;
  inStock?: boolean;
  limit: number;
  cursor?: string;
}

/**
 * A page of products in SKU order. With inStock, products without stock are skipped; the page is
 * filled from a few further batches so that it is rarely short.
 */
export async function listProductViews(
  { db, stock }: CatalogDeps,
  query: ProductListQuery,
): Promise<{ items: ProductView[]; nextCursor: string | null }> {
  const items: ProductView[] = [];
  let afterSku = query.cursor === undefined ? undefined : decodeCursor(query.cursor, isSku);
  for (let batch = 0; batch < 5 && items.length < query.limit; batch++) {
    const products = await listProducts(db, { ...query, afterSku, limit: query.limit + 1 - items.length });
    const levels = await stock.levels(products.map((p) => p.sku));
    const more = products.length > query.limit - items.length;
    for (const product of products.slice(0, query.limit - items.length)) {
      const productView = toProductView(product, levels.get(product.sku));
      afterSku = product.sku;
      if (query.inStock && productView.available <= 0) continue;
      items.push(productView);
    }
    if (!more) return { items, nextCursor: null };
  }
  return { items, nextCursor: afterSku === undefined ? null : encodeCursor(afterSku) };
}

async function view(stock: StockStore, product: Product): Promise<ProductView> {
  const level: StockLevel | undefined = (await stock.levels([product.sku])).get(product.sku);
  return toProductView(product, level);
}

const isSku = (value: unknown): value is string =>
  typeof value === "string" && new RegExp(SKU_PATTERN).test(value);
