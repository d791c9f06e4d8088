/** Wire schemas of the catalog API (validation and the OpenAPI document). */
import { CurrencySchema } from "@platform/config";
import { PageQuery } from "@platform/http";
import { t } from "elysia";
import { PRODUCT_SORTS, SKU_PATTERN } from "../domain/product.js";

const StockStatusSchema = t.Union([t.Literal("in_stock"), t.Literal("low_stock"), t.Literal("out_of_stock")]);

export const ProductSchema = t.Object({
  sku: t.String(),
  name: t.String(),
  description: t.Nullable(t.String()),
  category: t.Nullable(t.String()),
  priceCents: t.Integer(),
  currency: t.String(),
  lowStockThreshold: t.Integer(),
  available: t.Integer(),
  stockStatus: StockStatusSchema,
  createdAt: t.String({ format: "date-time" }),
  updatedAt: t.String({ format: "date-time" }),
});

export const SkuParams = t.Object({ sku: t.String({ pattern: SKU_PATTERN }) });

const name = t.String({ minLength: 1, maxLength: 200 });
const description = t.Nullable(t.String({ maxLength: 2000 }));
const category = t.String({ minLength: 1, maxLength: 50 });
const priceCents = t.Integer({ minimum: 0, maximum: 1_000_000_000_00 });
const lowStockThreshold = t.Integer({ minimum: 0, maximum: 1_000_000 });

export const CreateProductBody = t.Object({
  sku: t.String({ pattern: SKU_PATTERN }),
  name,
  description: t.Optional(description),
  category: t.Optional(t.Nullable(category)),
  priceCents,
  currency: t.Optional(CurrencySchema),
  initialStock: t.Integer({ minimum: 0, maximum: 10_000_000 }),
  lowStockThreshold: t.Optional(lowStockThreshold),
});

/** What a PATCH may change; an empty one changes nothing, unknown members are ignored. */
export const PatchProductBody = t.Object({
  name: t.Optional(name),
  description: t.Optional(description),
  category: t.Optional(t.Nullable(category)),
  priceCents: t.Optional(priceCents),
  currency: t.Optional(CurrencySchema),
  lowStockThreshold: t.Optional(lowStockThreshold),
});

export const ReplenishBody = t.Object({ quantity: t.Integer({ minimum: 1, maximum: 10_000_000 }) });

export const StockSchema = t.Object({
  sku: t.String(),
  available: t.Integer(),
  reserved: t.Integer(),
  stockStatus: StockStatusSchema,
});

export const ProductListQuery = t.Object({
  q: t.Optional(t.String({ maxLength: 100 })),
  category: t.Optional(category),
  sort: t.Optional(t.Union(PRODUCT_SORTS.map((sort) => t.Literal(sort)))),
  minPriceCents: t.Optional(priceCents),
  maxPriceCents: t.Optional(priceCents),
  inStock: t.Optional(t.Boolean()),
  ...PageQuery,
});
