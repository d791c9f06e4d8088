// One SKU under contention: many customers order it at once. Every answer is 201 or 409
// INSUFFICIENT_STOCK, and the teardown checks through the API that exactly the stock was sold:
// no oversell, no leak.
//   k6 run scripts/k6/hot-sku.js           (STOCK=200 VUS=50 ITERATIONS=600)

import { check } from "k6";
import http from "k6/http";
import { adminToken, authHeaders, BASE, customers, product } from "./lib.js";

const STOCK = Number(__ENV.STOCK || 200);

export const options = {
  scenarios: {
    contention: {
      executor: "shared-iterations",
      vus: Number(__ENV.VUS || 50),
      iterations: Number(__ENV.ITERATIONS || 600),
      maxDuration: "2m",
    },
  },
  thresholds: {
    "checks{check:201 or 409}": ["rate==1"],
    "checks{check:sold exactly the stock}": ["rate==1"],
    "checks{check:nothing left}": ["rate==1"],
    "http_req_duration{name:hot order}": ["p(95)<1000"],
  },
  summaryTrendStats: ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)"],
};

export function setup() {
  const admin = adminToken();
  return {
    tokens: customers(Number(__ENV.CUSTOMERS || 20), "hot"),
    sku: product(admin, STOCK, "LOAD-HOT"),
    admin,
  };
}

export default function ({ tokens, sku }) {
  const token = tokens[__ITER % tokens.length];
  const res = http.post(`${BASE}/orders`, JSON.stringify({ items: [{ sku, quantity: 1 }] }), {
    headers: authHeaders(token),
    tags: { name: "hot order" },
    responseCallback: http.expectedStatuses(201, 409),
  });
  check(res, {
    "201 or 409": (r) => r.status === 201 || (r.status === 409 && r.json("code") === "INSUFFICIENT_STOCK"),
  });
}

/** Counts, through the API, the orders that hold the SKU and what stock is left. */
export function teardown({ sku, admin }) {
  let sold = 0;
  let cursor = "";
  do {
    const page = http.get(`${BASE}/orders?limit=100${cursor ? `&cursor=${cursor}` : ""}`, {
      headers: authHeaders(admin),
      tags: { name: "audit" },
    });
    for (const order of page.json("items")) {
      for (const line of order.items) if (line.sku === sku) sold += line.quantity;
    }
    cursor = page.json("nextCursor") || "";
  } while (cursor);
  const available = http.get(`${BASE}/products/${sku}`).json("available");
  console.log(`hot SKU ${sku}: stock ${STOCK}, sold ${sold}, left ${available}`);
  check(null, { "sold exactly the stock": () => sold === STOCK, "nothing left": () => available === 0 });
}
