/**
 * An Elysia plugin for routes that need a caller: every route of an instance that uses it gets a
 * `principal`, or the request ends with a 401 problem before the handler runs. Identity comes only
 * from a verified token, never from a header a client could set.
 */
import { forbidden, unauthenticated } from "@platform/errors";
import { Elysia } from "elysia";
import { bearerToken, type Principal, type TokenVerifier } from "./verifier.js";

export function requireAuth(verifier: TokenVerifier) {
  // No plugin name: Elysia deduplicates named plugins, and each use may carry another verifier.
  return new Elysia().resolve({ as: "scoped" }, async ({ request }) => {
    // From the raw request: a route's header schema may leave Authorization out of `headers`.
    const token = bearerToken(request.headers.get("authorization"));
    if (!token) throw unauthenticated();
    return { principal: await verifier.verify(token) };
  });
}

/** Throws 403 unless the principal is an admin. */
export function assertAdmin(principal: Principal): void {
  if (principal.role !== "admin") throw forbidden("Only an admin may do this.");
}
