/**
 * RFC 9457 problem details: the one error format of every service.
 * Throw an AppError anywhere; the http kernel's onError turns it into application/problem+json.
 */

/** The stable error codes of the public API (ARCHITECTURE §5). */
export type ProblemCode =
  | "VALIDATION_FAILED"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "EMAIL_TAKEN"
  | "INVALID_CREDENTIALS"
  | "SKU_EXISTS"
  | "UNKNOWN_SKU"
  | "INSUFFICIENT_STOCK"
  | "INVALID_TRANSITION"
  | "IDEMPOTENCY_KEY_REUSED"
  | "RATE_LIMITED"
  | "PAYLOAD_TOO_LARGE"
  | "DEPENDENCY_UNAVAILABLE"
  | "INTERNAL";

/** One field that failed validation; `field` is a dotted path into the body or query. */
export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  requestId: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  413: "Content Too Large",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** An error with a stable code and an HTTP status; safe to show to a client as it is. */
export class AppError extends Error {
  override readonly name = "AppError";

  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    detail: string,
    /** Extra members of the problem (field errors, short SKUs, ...). */
    readonly extensions: { errors?: FieldError[]; [name: string]: unknown } = {},
    /** Extra response headers (Retry-After, ...). */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export function problem(
  status: number,
  code: ProblemCode,
  detail: string,
  requestId: string,
  extensions: Record<string, unknown> = {},
): Problem {
  return {
    type: `https://errors.order-platform.dev/${code.toLowerCase().replaceAll("_", "-")}`,
    title: TITLES[status] ?? "Error",
    status,
    detail,
    code,
    requestId,
    ...extensions,
  };
}

export function problemResponse(body: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { ...headers, "content-type": PROBLEM_CONTENT_TYPE },
  });
}

/** Shorthands for the errors every service throws. */
export const notFound = (detail = "The resource does not exist.") => new AppError(404, "NOT_FOUND", detail);
export const forbidden = (detail = "You may not do this.") => new AppError(403, "FORBIDDEN", detail);
export const unauthenticated = (detail = "A valid bearer token is required.") =>
  new AppError(401, "UNAUTHENTICATED", detail, {}, { "www-authenticate": 'Bearer realm="api"' });
export const dependencyUnavailable = (dependency: string) =>
  new AppError(503, "DEPENDENCY_UNAVAILABLE", `A service this request needs (${dependency}) is unavailable.`);
