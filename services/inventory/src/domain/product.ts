/** Products as the catalog keeps them and as the API shows them (with live stock). */
import { type StockLevel, type StockStatus, stockStatus } from "./stock.js";

export interface Product {
  sku: string;
  name: string;
  description: string | null;
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
  priceCents: number;
  currency: string;
  lowStockThreshold: number;
  available: number;
  stockStatus: StockStatus;
  createdAt: string;
  updatedAt: string;
}

export const SKU_PATTERN = "^[A-Z0-9][A-Z0-9-]{1,63}$";

const CURRENCIES = new Set(Intl.supportedValuesOf("currency"));
/** ISO 4217 codes, as the runtime's Intl knows them. */
export const isCurrency = (code: string): boolean => CURRENCIES.has(code);

export function toProductView(product: Product, level: StockLevel | undefined): ProductView {
  const available = level?.available ?? 0;
  return {
    sku: product.sku,
    name: product.name,
    description: product.description,
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
export const productSnapshot = (product: Product) => ({
  sku: product.sku,
  name: product.name,
  description: product.description,
  priceCents: product.priceCents,
  currency: product.currency,
  lowStockThreshold: product.lowStockThreshold,
  updatedAt: product.updatedAt.toISOString(),
});
