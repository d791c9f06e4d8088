/**
 * A typed client of the public API (through the gateway), from the types generated out of its
 * OpenAPI document: paths, parameters, bodies and answers are checked by the compiler.
 *
 *   const api = createApiClient("http://localhost:8080", { token });
 *   const { data, error } = await api.POST("/api/orders", { body: { items: [{ sku, quantity: 1 }] } });
 */
import createClient from "openapi-fetch";
import type { paths } from "./gen/public-api.js";

export type { components, paths } from "./gen/public-api.js";

export interface ApiClientOptions {
  /** An access token from POST /api/auth/login, sent as a bearer token. */
  token?: string;
  headers?: Record<string, string>;
}

export function createApiClient(baseUrl: string, options: ApiClientOptions = {}) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return createClient<paths>({ baseUrl, headers });
}

export type ApiClient = ReturnType<typeof createApiClient>;
