// Shared by the k6 scripts: the gateway address, logging in, creating customers and products.

import { check, fail } from "k6";
import http from "k6/http";

export const BASE = `${__ENV.GATEWAY_URL || "http://localhost:8080"}/api`;
const JSON_HEADERS = { "content-type": "application/json" };

/** The admin's credentials: ADMIN_EMAIL / ADMIN_PASSWORD, else what `bun run start` generated. */
function adminCredentials() {
  const email = __ENV.ADMIN_EMAIL || "admin@example.com";
  if (__ENV.ADMIN_PASSWORD) return { email, password: __ENV.ADMIN_PASSWORD };
  return { email, password: open("../../.data/admin-password").trim() };
}
const ADMIN = adminCredentials();

export function login(email, password) {
  const res = http.post(`${BASE}/auth/login`, JSON.stringify({ email, password }), {
    headers: JSON_HEADERS,
    tags: { name: "login" },
  });
  if (res.status !== 200) fail(`login ${email} answered ${res.status}: ${res.body}`);
  return res.json("accessToken");
}

export const adminToken = () => login(ADMIN.email, ADMIN.password);

export function authHeaders(token) {
  return { "content-type": "application/json", authorization: `Bearer ${token}` };
}

/** Registers `count` customers and logs each in; returns their tokens. */
export function customers(count, prefix) {
  const tokens = [];
  for (let i = 0; i < count; i++) {
    const email = `${prefix}-${Date.now()}-${i}@load.example.com`;
    const res = http.post(
      `${BASE}/users`,
      JSON.stringify({ email, name: `Load ${i}`, password: "load-password-1" }),
      {
        headers: JSON_HEADERS,
        tags: { name: "register" },
      },
    );
    if (res.status !== 201) fail(`register answered ${res.status}: ${res.body}`);
    tokens.push(login(email, "load-password-1"));
  }
  return tokens;
}

/** Creates a product with the given stock as the admin; returns its SKU. */
export function product(token, stock, prefix) {
  const sku = `${prefix}-${Date.now()}`.toUpperCase().slice(0, 60);
  const res = http.post(
    `${BASE}/products`,
    JSON.stringify({
      sku,
      name: `Load test ${sku}`,
      priceCents: 999,
      initialStock: stock,
      lowStockThreshold: 0,
    }),
    { headers: authHeaders(token), tags: { name: "create product" } },
  );
  if (!check(res, { "product created": (r) => r.status === 201 }))
    fail(`product answered ${res.status}: ${res.body}`);
  return sku;
}
