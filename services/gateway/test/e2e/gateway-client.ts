/**
 * A test's way into the platform through the gateway: JSON calls under /api, logins, a fresh
 * customer, a product with stock (as the admin), a product's live stock.
 */
import { expect } from "bun:test";
import { uniqueName } from "@platform/testing";

export type Json = Record<string, unknown> & { items?: Array<Record<string, unknown>> };

export function gatewayClient(gateway: string) {
  async function api<T = Json>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${gateway}/api${path}`, {
      method,
      headers,
      body:
        options.body === undefined
          ? undefined
          : typeof options.body === "string"
            ? options.body
            : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as T };
  }

  async function login(email: string, password: string): Promise<string> {
    const res = await api<{ accessToken: string }>("POST", "/auth/login", { body: { email, password } });
    if (res.status !== 200) throw new Error(`login ${email}: ${res.status}`);
    return res.body.accessToken;
  }

  async function customer() {
    const email = `${uniqueName("e2e")}@example.com`;
    const registered = await api<{ id: string }>("POST", "/users", {
      body: { email, name: "E2E Buyer", password: "buyer-password-1" },
    });
    expect(registered.status).toBe(201);
    return { id: registered.body.id, email, token: await login(email, "buyer-password-1") };
  }

  async function product(adminToken: string, initialStock: number, priceCents = 1500) {
    const sku = uniqueName("E2E").toUpperCase().replaceAll("_", "-");
    const res = await api("POST", "/products", {
      token: adminToken,
      body: { sku, name: `Thing ${sku}`, priceCents, initialStock, lowStockThreshold: 1 },
    });
    expect(res.status).toBe(201);
    return sku;
  }

  const available = async (sku: string) =>
    (await api<{ available: number }>("GET", `/products/${sku}`)).body.available;

  return { api, login, customer, product, available };
}
