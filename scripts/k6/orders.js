// Order placement at a constant arrival rate, through the gateway (ARCHITECTURE §8).
//   k6 run scripts/k6/orders.js            (RATE=20 DURATION=30s CUSTOMERS=20 to change the load)

import { check } from "k6";
import http from "k6/http";
import { adminToken, authHeaders, BASE, customers, product } from "./lib.js";

const RATE = Number(__ENV.RATE || 20);
const DURATION = __ENV.DURATION || "30s";

export const options = {
  scenarios: {
    orders: {
      executor: "constant-arrival-rate",
      rate: RATE,
      timeUnit: "1s",
      duration: DURATION,
      preAllocatedVUs: 20,
      maxVUs: 100,
    },
  },
  thresholds: {
    "http_req_failed{name:place order}": ["rate<0.01"],
    "http_req_duration{name:place order}": ["p(95)<500", "p(99)<1000"],
    checks: ["rate>0.99"],
  },
  summaryTrendStats: ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)"],
};

export function setup() {
  const admin = adminToken();
  // Enough stock that no order is refused: this measures placement, not contention.
  return {
    tokens: customers(Number(__ENV.CUSTOMERS || 20), "orders"),
    sku: product(admin, 1_000_000, "LOAD-ORDERS"),
  };
}

export default function ({ tokens, sku }) {
  const token = tokens[Math.floor(Math.random() * tokens.length)];
  const res = http.post(
    `${BASE}/orders`,
    JSON.stringify({ items: [{ sku, quantity: 1 + Math.floor(Math.random() * 3) }] }),
    {
      headers: authHeaders(token),
      tags: { name: "place order" },
    },
  );
  check(res, {
    "order placed (201)": (r) => r.status === 201,
    "has a total": (r) => r.status !== 201 || r.json("totalCents") > 0,
  });
}
