// Catalog reads through the gateway: lists with filters and single products.
//   k6 run scripts/k6/browse.js            (RATE=100 DURATION=30s)

import { check } from "k6";
import http from "k6/http";
import { BASE } from "./lib.js";

export const options = {
  scenarios: {
    browse: {
      executor: "constant-arrival-rate",
      rate: Number(__ENV.RATE || 100),
      timeUnit: "1s",
      duration: __ENV.DURATION || "30s",
      preAllocatedVUs: 20,
      maxVUs: 100,
    },
  },
  thresholds: {
    http_req_failed: ["rate<0.01"],
    "http_req_duration{name:list products}": ["p(95)<300"],
    "http_req_duration{name:get product}": ["p(95)<200"],
    checks: ["rate>0.99"],
  },
  summaryTrendStats: ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)"],
};

const QUERIES = [
  "?limit=20",
  "?inStock=true&limit=10",
  "?q=mug",
  "?minPriceCents=500&maxPriceCents=3000",
  "?limit=5",
];

export function setup() {
  const page = http.get(`${BASE}/products?limit=50`).json("items");
  return { skus: page.map((p) => p.sku) };
}

export default function ({ skus }) {
  if (Math.random() < 0.6 || skus.length === 0) {
    const res = http.get(`${BASE}/products${QUERIES[Math.floor(Math.random() * QUERIES.length)]}`, {
      tags: { name: "list products" },
    });
    check(res, { "list 200": (r) => r.status === 200 });
  } else {
    const sku = skus[Math.floor(Math.random() * skus.length)];
    const res = http.get(`${BASE}/products/${sku}`, { tags: { name: "get product" } });
    check(res, { "product 200": (r) => r.status === 200 && r.json("sku") === sku });
  }
}
