/**
 * An Elysia plugin for routes that need a caller: every route of an instance that uses it gets a
 * `principal`, or the request ends with a 401 problem before the handler runs. Identity comes only
 * from a verified token, never from a header a client could set.
 */
import { forbidden, unauthenticated } from "@platform/errors";
import { REQUIRES_TOKEN } from "@platform/http";
import { Elysia } from "elysia";
import { bearerToken, type Principal, type TokenVerifier } from "./verifier.js";

export function requireAuth(verifier: TokenVerifier) {
  const resolvePrincipal = async ({ request }: { request: Request }) => {
    // From the raw request: a route's header schema may leave Authorization out of `headers`.
    const token = bearerToken(request.headers.get("authorization"));
    if (!token) throw unauthenticated();
    return { principal: await verifier.verify(token) };
  };
  // The OpenAPI document marks the routes behind it with the bearer scheme.
  Object.defineProperty(resolvePrincipal, REQUIRES_TOKEN, { value: true });
  // No plugin name: Elysia deduplicates named plugins, and each use may carry another verifier.
  // derive, not resolve: it runs before the body and query are validated, so a request without a
  // valid token is 401 whatever else is wrong with it.
  return new Elysia().derive({ as: "scoped" }, resolvePrincipal);
}

/** Throws 403 unless the principal is an admin. */
export function assertAdmin(principal: Principal): void {
  if (principal.role !== "admin") throw forbidden("Only an admin may do this.");
}
