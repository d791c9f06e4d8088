/** Products as the catalog keeps them and as the API shows them (with live stock). */
import type { ProductSnapshot } from "@platform/events";
import { type StockLevel, type StockStatus, stockStatus } from "./stock.js";

export interface Product {
  sku: string;
  name: string;
  description: string | null;
  category: string | null;
  priceCents: number;
  currency: string;
  lowStockThreshold: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ProductView {
  sku: string;
  name: string;
  description: string | null;
  category: string | null;
  priceCents: number;
  currency: string;
  lowStockThreshold: number;
  available: number;
  stockStatus: StockStatus;
  createdAt: string;
  updatedAt: string;
}

export const SKU_PATTERN = "^[A-Z0-9][A-Z0-9-]{1,63}$";

/** How a product list may be ordered (ARCHITECTURE §5); ties, and the default, go by SKU. */
export const PRODUCT_SORTS = ["sku", "name", "-name", "priceCents", "-priceCents", "-createdAt"] as const;
export type ProductSort = (typeof PRODUCT_SORTS)[number];

export function toProductView(product: Product, level: StockLevel | undefined): ProductView {
  const available = level?.available ?? 0;
  return {
    sku: product.sku,
    name: product.name,
    description: product.description,
    category: product.category,
    priceCents: product.priceCents,
    currency: product.currency,
    lowStockThreshold: product.lowStockThreshold,
    available,
    stockStatus: stockStatus({ available, threshold: product.lowStockThreshold }),
    createdAt: product.createdAt.toISOString(),
    updatedAt: product.updatedAt.toISOString(),
  };
}

/** The catalog fields events carry (no live stock: events say what changed, not what is). */
export const productSnapshot = (product: Product): ProductSnapshot => ({
  sku: product.sku,
  name: product.name,
  description: product.description,
  priceCents: product.priceCents,
  currency: product.currency,
  lowStockThreshold: product.lowStockThreshold,
  updatedAt: product.updatedAt.toISOString(),
});
