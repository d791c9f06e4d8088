/**
 * `stock_low_products` on /metrics: how many sellable products are at or below their low-stock
 * threshold right now (StockStore.lowStockCount).
 *
 * Why computed on scrape and reused for 15 s: the counters live in one Redis hash beside the
 * catalog, so a count reads every product (in HSCAN pages, never one long command): its cost grows
 * with the catalog. Reusing it for 15 s (the usual scrape interval) makes that at most one walk per
 * interval per replica, however many Prometheus replicas or dashboards ask, and a stock level is a
 * slow signal anyway (an alert on it waits minutes, not seconds). An exact count kept by the stock
 * scripts would be O(1) to read, but would put metrics bookkeeping into every script that moves
 * stock or a threshold, and into the archive.
 */
import { reusedFor } from "@platform/jobs";
import { Gauge, type Registry } from "prom-client";
import type { StockStore } from "./stock-store.js";

const STOCK_LOW_CACHE_MS = 15_000;
/** The longest a scrape waits for the count. */
const MAX_WAIT_MS = 2_000;

export function stockLowGauge(registry: Registry, stock: StockStore, cacheMs = STOCK_LOW_CACHE_MS): Gauge {
  const count = reusedFor(cacheMs, MAX_WAIT_MS, () => stock.lowStockCount());
  return new Gauge({
    name: "stock_low_products",
    help: "Products (not archived) at or below their low-stock threshold, out of stock included",
    registers: [registry],
    async collect() {
      // Redis away or slow: the scrape still answers, with the last count (/ready says why).
      const n = await count();
      if (n !== undefined) this.set(n);
    },
  });
}
