import type { OutboxTable } from "@platform/outbox";
import type { ColumnType, Selectable } from "kysely";

export interface ProductTable {
  sku: string;
  name: string;
  description: string | null;
  category: ColumnType<string | null, string | null | undefined, string | null>;
  priceCents: number;
  currency: string;
  lowStockThreshold: number;
  createdAt: ColumnType<Date, never, never>;
  updatedAt: ColumnType<Date, never, Date>;
  /** Set once the product is archived: no longer listed or sold, kept for the record. */
  archivedAt: ColumnType<Date | null, never, Date>;
}

export interface InventoryDatabase {
  product: ProductTable;
  outbox: OutboxTable;
}

export type ProductRow = Selectable<ProductTable>;
