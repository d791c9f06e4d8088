/**
 * Every error becomes RFC 9457 problem details: an AppError with its code, Elysia's validation,
 * parse and routing errors with theirs, an unreachable dependency as 503, anything else as a 500
 * that tells the client nothing internal (and is logged whole).
 */
import { AppError, type FieldError, isDependencyFailure } from "@platform/errors";
import type { Logger } from "@platform/logging";
import { Elysia, ValidationError } from "elysia";
import { allowedMethodsOf } from "../allowed-methods.js";
import { problem, problemResponse } from "../problem.js";
import { REQUEST_ID_HEADER, resolveRequestId } from "../request-id.js";

export function problemErrors(logger: Logger) {
  const plugin = new Elysia({ name: "problem-errors" });
  const allowedMethods = allowedMethodsOf(
    plugin as unknown as { getGlobalRoutes(): Array<{ method: string; path: string }> },
  );
  return plugin.onError({ as: "global" }, ({ code, error, set, request, path }) => {
    const requestId = String(set.headers[REQUEST_ID_HEADER] ?? resolveRequestId(null));
    const headers = { [REQUEST_ID_HEADER]: requestId };
    // Elysia wraps whatever a body parser throws; the kernel's parser throws AppErrors (413, 400).
    const cause = code === "PARSE" ? (error as Error).cause : undefined;
    const appError = error instanceof AppError ? error : cause instanceof AppError ? cause : undefined;
    if (appError) {
      return problemResponse(problem(appError.code, appError.message, requestId, appError.extensions), {
        ...headers,
        ...appError.headers,
      });
    }
    if (code === "VALIDATION" && error instanceof ValidationError) {
      const errors = fieldErrors(error);
      const detail = `The ${error.type} is invalid: ${errors.map((e) => `${e.field} ${e.message}`).join("; ")}`;
      return problemResponse(problem("VALIDATION_FAILED", detail, requestId, { errors }), headers);
    }
    if (code === "PARSE") {
      return problemResponse(
        problem("MALFORMED_REQUEST", "The request body could not be parsed.", requestId),
        headers,
      );
    }
    if (code === "NOT_FOUND") {
      const allow = allowedMethods(path);
      if (allow.length > 0) {
        return problemResponse(
          problem(
            "METHOD_NOT_ALLOWED",
            `${request.method} is not supported here; use ${allow.join(", ")}.`,
            requestId,
          ),
          { ...headers, allow: allow.join(", ") },
        );
      }
      return problemResponse(
        problem("NOT_FOUND", `No route for ${request.method} ${path}.`, requestId),
        headers,
      );
    }
    if (isDependencyFailure(error)) {
      logger.warn({ err: error, requestId, method: request.method, path }, "a dependency is unavailable");
      return problemResponse(
        problem(
          "DEPENDENCY_UNAVAILABLE",
          "A service this request needs is unavailable; try again.",
          requestId,
        ),
        { ...headers, "retry-after": "1" },
      );
    }
    logger.error({ err: error, requestId, method: request.method, path }, "unhandled error");
    return problemResponse(problem("INTERNAL", "Something went wrong on our side.", requestId), headers);
  });
}

/** Elysia's validation errors as `{ field, message }`, the field a dotted path ("items.0.quantity"). */
function fieldErrors(error: ValidationError): FieldError[] {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const item of error.all) {
    const path = "path" in item && typeof item.path === "string" ? item.path : "";
    const field = path.replace(/^\//, "").replaceAll("/", ".") || error.type;
    const message = ("summary" in item && item.summary) || item.message;
    const key = `${field}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    errors.push({ field, message: String(message) });
  }
  return errors;
}
