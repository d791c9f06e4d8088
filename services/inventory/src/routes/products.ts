/** The catalog over REST: anyone reads, admins write (through the gateway at /api/products). */
import { assertAdmin, requireAuth, type TokenVerifier } from "@platform/auth";
import { AppError } from "@platform/errors";
import { PageOf, problems, requestContext } from "@platform/http";
import type { Logger } from "@platform/logging";
import { Elysia } from "elysia";
import {
  archive,
  type CatalogDeps,
  createProduct,
  getProduct,
  listProductViews,
  patchProduct,
  replenish,
} from "../use-cases/catalog.js";
import {
  CreateProductBody,
  PatchProductBody,
  ProductListQuery,
  ProductSchema,
  ReplenishBody,
  SkuParams,
  StockSchema,
} from "./schemas.js";

export interface ProductRouteDeps extends CatalogDeps {
  verifier: TokenVerifier;
  logger: Logger;
  defaultCurrency: string;
  defaultLowStockThreshold: number;
}

export function productsRoutes(deps: ProductRouteDeps) {
  return new Elysia({ tags: ["products"] })
    .use(requestContext(deps.logger))
    .get(
      "/products",
      async ({ query }) => {
        if (
          query.minPriceCents !== undefined &&
          query.maxPriceCents !== undefined &&
          query.minPriceCents > query.maxPriceCents
        ) {
          throw new AppError("VALIDATION_FAILED", "minPriceCents is above maxPriceCents.", {
            errors: [{ field: "minPriceCents", message: "must not be above maxPriceCents" }],
          });
        }
        return listProductViews(deps, query);
      },
      {
        query: ProductListQuery,
        response: { 200: PageOf(ProductSchema) },
        detail: { summary: "Browse the catalog with live stock" },
      },
    )
    .get("/products/:sku", ({ params }) => getProduct(deps, params.sku), {
      params: SkuParams,
      response: { 200: ProductSchema },
      detail: { summary: "One product with live stock" },
    })
    .use(requireAuth(deps.verifier))
    .post(
      "/products",
      async ({ body, principal, requestId, set, log }) => {
        assertAdmin(principal);
        const product = await createProduct(
          deps,
          {
            sku: body.sku,
            name: body.name,
            description: body.description ?? null,
            category: body.category ?? null,
            priceCents: body.priceCents,
            currency: body.currency ?? deps.defaultCurrency,
            lowStockThreshold: body.lowStockThreshold ?? deps.defaultLowStockThreshold,
            initialStock: body.initialStock,
          },
          requestId,
        );
        log.info({ sku: product.sku, initialStock: body.initialStock }, "product created");
        set.status = 201;
        set.headers.location = `/products/${product.sku}`;
        return product;
      },
      {
        body: CreateProductBody,
        response: { 201: ProductSchema },
        detail: { summary: "Create a product (admin)", ...problems("SKU_EXISTS") },
      },
    )
    .patch(
      "/products/:sku",
      async ({ params, body, principal, requestId }) => {
        assertAdmin(principal);
        return patchProduct(deps, params.sku, body, requestId);
      },
      {
        params: SkuParams,
        body: PatchProductBody,
        response: { 200: ProductSchema },
        detail: { summary: "Change a product (admin)" },
      },
    )
    .delete(
      "/products/:sku",
      async ({ params, principal, requestId, set, log }) => {
        assertAdmin(principal);
        await archive(deps, params.sku, requestId);
        log.info({ sku: params.sku }, "product archived");
        set.status = 204;
      },
      {
        params: SkuParams,
        detail: {
          summary: "Archive a product (admin): no longer listed or sold; orders keep their snapshot",
          responses: { 204: { description: "Archived" } },
        },
      },
    )
    .post(
      "/products/:sku/replenish",
      async ({ params, body, principal, requestId, log }) => {
        assertAdmin(principal);
        const stock = await replenish(deps, params.sku, body.quantity, requestId);
        log.info(
          { sku: params.sku, quantity: body.quantity, available: stock.available },
          "stock replenished",
        );
        return stock;
      },
      {
        params: SkuParams,
        body: ReplenishBody,
        response: { 200: StockSchema },
        detail: { summary: "Add stock (admin)" },
      },
    );
}
