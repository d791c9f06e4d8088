/**
 * Catalog use cases: the catalog lives in Postgres, the stock in Redis. Product events go through
 * the catalog's outbox in Postgres, in the product's transaction, so an event is published only for
 * a change that committed. A product and its stock are created together: the stock is set in Redis
 * as the transaction's last step, so if Redis cannot take it the product rolls back (503), and if
 * the commit fails after it the stock is taken away again.
 */

import { notFound } from "@platform/errors";
import { createEvent } from "@platform/events";
import { decodeCursor, encodeCursor } from "@platform/http";
import type { Logger } from "@platform/logging";
import { insertOutboxEvent, type OutboxRelay } from "@platform/outbox";
import {
  type Product,
  type ProductSort,
  type ProductView,
  productSnapshot,
  SKU_PATTERN,
  toProductView,
} from "../domain/product.js";
import { type StockLevel, stockStatus } from "../domain/stock.js";
import type { StockEventRelay } from "../events/stock-event-relay.js";
import type { SellableProduct, StockStore } from "../stock/stock-store.js";
import {
  archiveProduct,
  findProduct,
  findProducts,
  type InventoryDb,
  insertProduct,
  listProducts,
  type NewProduct,
  type ProductPatch,
  type ProductPosition,
  updateProduct,
} from "../store/product.store.js";

export interface CatalogDeps {
  db: InventoryDb;
  stock: StockStore;
  logger: Logger;
  /** Publishes the catalog's outbox (product events). */
  catalogEvents: OutboxRelay;
  /** Publishes the stock scripts' events (stock.low, stock.replenished). */
  stockEvents: StockEventRelay;
  eventsStream: string;
}

export async function createProduct(
  { db, stock, catalogEvents, eventsStream }: CatalogDeps,
  input: NewProduct & { initialStock: number },
  requestId: string,
): Promise<ProductView> {
  const { initialStock, ...fields } = input;
  let stockSet = false;
  let product: Product;
  try {
    product = await db.transaction().execute(async (trx) => {
      const created = await insertProduct(trx, fields);
      const event = createEvent(
        "product.created",
        { product: productSnapshot(created), initialStock },
        { requestId },
      );
      await insertOutboxEvent(trx, eventsStream, event);
      await stock.setStock(created.sku, initialStock, created.lowStockThreshold);
      stockSet = true;
      return created;
    });
  } catch (error) {
    // Undo the counters only when the product is known not to be stored: a commit whose answer was
    // lost with the connection did store it (and its stock must stay).
    const stored = await findProduct(db, fields.sku).then(
      (found) => found !== undefined,
      () => true,
    );
    if (stockSet && !stored) await stock.removeStock(fields.sku).catch(() => {});
    throw error;
  }
  // Sellable from now on (the relay copies it again before product.created goes out).
  await stock.setSellable([product]).catch(() => {});
  catalogEvents.nudge();
  // The stock was set in the same request: no need to read it back.
  return toProductView(product, {
    sku: product.sku,
    available: initialStock,
    reserved: 0,
    threshold: product.lowStockThreshold,
  });
}

/**
 * Changes a product. The product (name, price, threshold) is copied to Redis after the commit;
 * should that fail, the relay copies it before it publishes the product.updated event
 * (applyProductChanges), so the copy never stays behind.
 */
export async function patchProduct(
  deps: CatalogDeps,
  sku: string,
  patch: ProductPatch,
  requestId: string,
): Promise<ProductView> {
  // Nothing to change: no write, no event.
  if (Object.values(patch).every((value) => value === undefined)) return getProduct(deps, sku);
  const { db, stock, catalogEvents, eventsStream } = deps;
  // The answer's stock, read first: with Redis away that is the 503, before anything changed (read
  // after the commit, the change would be made and announced, and the client's retry announce it
  // again). A change of stock meanwhile is as if it came just after.
  const level = (await stock.levels([sku])).get(sku);
  const product = await db.transaction().execute(async (trx) => {
    const updated = await updateProduct(trx, sku, patch);
    if (!updated) throw notFound(`No product ${sku}.`);
    const event = createEvent(
      "product.updated",
      { sku, changes: patch, product: productSnapshot(updated) },
      { requestId },
    );
    await insertOutboxEvent(trx, eventsStream, event);
    return updated;
  });
  await stock.setSellable([product]).catch(() => {});
  catalogEvents.nudge();
  return toProductView(product, level);
}

/**
 * Archives a product: no longer listed, read or sold (Reserve answers UNKNOWN_SKU); orders keep
 * their snapshot; `product.archived` goes out through the outbox with the archive. The Redis
 * catalog keeps a tombstone, written now and again by the relay (a crash in between loses nothing).
 */
export async function archive(deps: CatalogDeps, sku: string, requestId: string): Promise<void> {
  const { db, stock, catalogEvents, eventsStream } = deps;
  const archived = await db.transaction().execute(async (trx) => {
    const product = await archiveProduct(trx, sku);
    if (!product) throw notFound(`No product ${sku}.`);
    const event = createEvent("product.archived", { sku, product: productSnapshot(product) }, { requestId });
    await insertOutboxEvent(trx, eventsStream, event);
    return product;
  });
  await stock.setSellable([{ ...archived, archived: true }]).catch(() => {});
  catalogEvents.nudge();
}

/**
 * The relay's beforePublish: what product.created and product.updated events say of a product,
 * copied to Redis before they go out (idempotent, and never over a newer copy), so the copy made by
 * the request that a crash or an outage interrupted is made after all.
 */
export function applyProductChanges(stock: StockStore) {
  return async (events: Array<{ type: string; payload: unknown }>) => {
    for (const { type, payload } of events) {
      const { product } = payload as { product?: SellableProduct };
      if ((type === "product.created" || type === "product.updated") && product)
        await stock.setSellable([product]);
      if (type === "product.archived" && product) await stock.setSellable([{ ...product, archived: true }]);
    }
  };
}

/**
 * Start-up: the sellable catalog in Redis made whole again from Postgres (a Redis that lost it, a
 * platform upgraded from a version that read prices from Postgres), and the stock counters of a
 * product Redis lost them for given back at 0 (logged: its stock must be counted and replenished).
 * Batches, so it stays cheap.
 */
export async function syncSellableCatalog({
  db,
  stock,
  logger,
}: Pick<CatalogDeps, "db" | "stock" | "logger">): Promise<number> {
  let synced = 0;
  let after: ProductPosition | undefined;
  for (;;) {
    const products = await listProducts(db, { after, limit: 500 });
    if (products.length === 0) break;
    await stock.setSellable(products);
    reportLostCounters(logger, await stock.restoreLostCounters(products));
    synced += products.length;
    const last = products.at(-1);
    after = last && { value: last.sortValue, sku: last.sku };
  }
  // And nothing sellable that is not in the catalog (a product whose creation failed half way).
  const sellable = await stock.sellableSkus();
  for (let i = 0; i < sellable.length; i += 500) {
    const batch = sellable.slice(i, i + 500);
    const known = new Set((await findProducts(db, batch)).map((p) => p.sku));
    await stock.unsellable(batch.filter((sku) => !known.has(sku)));
  }
  return synced;
}

/**
 * Adds stock. A product whose counters Redis lost gets them back at 0 first (logged), and its entry
 * in the sellable catalog with them, so the admin's replenish is what makes it sellable again rather
 * than a 404 for a product that exists.
 */
export async function replenish(
  { db, stock, stockEvents, logger }: CatalogDeps,
  sku: string,
  quantity: number,
  requestId: string,
) {
  // The counters of an archived product are still in Redis: the catalog says whether it is one.
  const product = await findProduct(db, sku);
  if (!product) throw notFound(`No product ${sku}.`);
  let outcome = await stock.replenish(sku, quantity, requestId);
  if (outcome.result === "not_found") {
    const restored = await stock.restoreLostCounters([product]);
    reportLostCounters(logger, restored);
    if (restored.length > 0) {
      // Written after the counters when the product was made: lost with them. Never over a newer copy.
      await stock.setSellable([product]);
      outcome = await stock.replenish(sku, quantity, requestId);
    }
  }
  if (outcome.result === "not_found") throw notFound(`No product ${sku}.`);
  stockEvents.nudge();
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
  category?: string;
  sort?: ProductSort;
  minPriceCents?: number;
  maxPriceCents?: number;
  inStock?: boolean;
  limit: number;
  cursor?: string;
}

/**
 * A page of products in the sort's order (SKU order by default). The cursor keeps the sort, the
 * last product's sort value and its SKU: a cursor of another sort is refused (422). With inStock,
 * products without stock are skipped; the page is filled from a few further batches so that it is
 * rarely short.
 */
export async function listProductViews(
  { db, stock }: CatalogDeps,
  query: ProductListQuery,
): Promise<{ items: ProductView[]; nextCursor: string | null }> {
  const sort = query.sort ?? "sku";
  const items: ProductView[] = [];
  let after =
    query.cursor === undefined ? undefined : positionOf(decodeCursor(query.cursor, isCursorOf(sort)));
  for (let batch = 0; batch < 5 && items.length < query.limit; batch++) {
    const products = await listProducts(db, { ...query, sort, after, limit: query.limit + 1 - items.length });
    const levels = await stock.levels(products.map((p) => p.sku));
    const more = products.length > query.limit - items.length;
    for (const product of products.slice(0, query.limit - items.length)) {
      const productView = toProductView(product, levels.get(product.sku));
      after = { value: product.sortValue, sku: product.sku };
      if (query.inStock && productView.available <= 0) continue;
      items.push(productView);
    }
    if (!more) return { items, nextCursor: null };
  }
  return { items, nextCursor: after === undefined ? null : encodeCursor([sort, after.value, after.sku]) };
}

async function view(stock: StockStore, product: Product): Promise<ProductView> {
  const level: StockLevel | undefined = (await stock.levels([product.sku])).get(product.sku);
  return toProductView(product, level);
}

/** A cursor this list gave out for this sort: [sort, value, sku]. */
type ProductCursor = [ProductSort, string | number, string];

const SKU = new RegExp(SKU_PATTERN);
/** A creation time as a cursor keeps it (listProducts): UTC, to the microsecond. */
const CREATED_AT = /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

const isSku = (value: unknown) => typeof value === "string" && SKU.test(value);
const isName = (value: unknown) => typeof value === "string" && value.length <= 200 && !value.includes("\0");
const isCreatedAt = (value: unknown) =>
  typeof value === "string" &&
  CREATED_AT.test(value) &&
  new Date(value).toISOString() === `${value.slice(0, 23)}Z`; // a real date: no 30 February

/**
 * Whether a cursor's sort value is one its sort's column holds: Postgres refuses a word for a price
 * or an impossible date as an error of its own, which would reach the client as a 500.
 */
const isSortValue: Record<ProductSort, (value: unknown) => boolean> = {
  sku: isSku,
  name: isName,
  "-name": isName,
  priceCents: Number.isSafeInteger,
  "-priceCents": Number.isSafeInteger,
  "-createdAt": isCreatedAt,
};

const isCursorOf =
  (sort: ProductSort) =>
  (value: unknown): value is ProductCursor =>
    Array.isArray(value) &&
    value.length === 3 &&
    value[0] === sort &&
    isSortValue[sort](value[1]) &&
    isSku(value[2]);

const positionOf = ([, value, sku]: ProductCursor): ProductPosition => ({ value, sku });

function reportLostCounters(logger: Logger, skus: string[]): void {
  if (skus.length === 0) return;
  logger.error(
    { skus },
    "stock counters were missing in Redis (lost in a crash?): set to 0 available; count the stock, replenish it and run reconcile",
  );
}
