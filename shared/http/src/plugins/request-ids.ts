/**
 * Request ids: every request gets one (`X-Request-Id` when acceptable, a new one otherwise), set on
 * the response, and every handler gets `requestId` and a child logger `log` carrying it.
 */
import type { Logger } from "@platform/logging";
import { Elysia } from "elysia";
import { REQUEST_ID_HEADER, resolveRequestId } from "../request-id.js";

export function requestIds() {
  // onRequest runs before routing, so it applies to every route of the app, matched or not.
  return new Elysia({ name: "request-ids" }).onRequest(({ request, set }) => {
    set.headers[REQUEST_ID_HEADER] = resolveRequestId(request.headers.get(REQUEST_ID_HEADER));
  });
}

/**
 * `requestId` and a child logger (`log`) for every handler. The kernel installs it; a route
 * instance uses it again only for the types (Elysia runs a named plugin once).
 */
export function requestContext(logger: Logger) {
  return new Elysia({ name: "request-context" }).derive({ as: "global" }, ({ set }) => {
    const requestId = String(set.headers[REQUEST_ID_HEADER]);
    return { requestId, log: logger.child({ requestId }) };
  });
}
