/**
 * The platform's errors, independent of any transport: domain code, stores and clients throw an
 * AppError with a stable code; the HTTP kernel answers it as RFC 9457 problem details with the
 * code's status, the gRPC edge as the code's gRPC status. One table decides both, so the same
 * condition gets the same answer wherever it is detected.
 */

/**
 * Every code of the public API (ARCHITECTURE §5) and the HTTP status it is answered with.
 * Beyond §5: MALFORMED_REQUEST (a body that is not JSON at all, 400, where VALIDATION_FAILED is a
 * well-formed body with wrong fields, 422), IDEMPOTENCY_KEY_IN_PROGRESS (the first request with the
 * key is still running: retry, 409; IDEMPOTENCY_KEY_REUSED is a different body under a used key,
 * 422), UPSTREAM_TIMEOUT (the gateway's 504, where DEPENDENCY_UNAVAILABLE is 503) and
 * INVALID_SIGNATURE (a payment provider's webhook whose signature does not verify, 400).
 */
export const ERROR_STATUS = {
  MALFORMED_REQUEST: 400,
  INVALID_SIGNATURE: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  EMAIL_TAKEN: 409,
  SKU_EXISTS: 409,
  INSUFFICIENT_STOCK: 409,
  INVALID_TRANSITION: 409,
  IDEMPOTENCY_KEY_IN_PROGRESS: 409,
  PAYLOAD_TOO_LARGE: 413,
  VALIDATION_FAILED: 422,
  UNKNOWN_SKU: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  DEPENDENCY_UNAVAILABLE: 503,
  UPSTREAM_TIMEOUT: 504,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** One field that failed validation; `field` is a dotted path into the body or query. */
export interface FieldError {
  field: string;
  message: string;
}

/** Extra members of the problem (field errors, short SKUs, ...). */
export type ErrorExtensions = { errors?: FieldError[]; [name: string]: unknown };

/** An error with a stable code; its message is safe to show to a client as it is. */
export class AppError extends Error {
  override readonly name = "AppError";
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    detail: string,
    readonly extensions: ErrorExtensions = {},
    /** Extra response headers (Retry-After, WWW-Authenticate, ...). */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.status = ERROR_STATUS[code];
  }
}

/** Shorthands for the errors every service throws. */
export const notFound = (detail = "The resource does not exist.") => new AppError("NOT_FOUND", detail);
export const forbidden = (detail = "You may not do this.") => new AppError("FORBIDDEN", detail);
export const validationFailed = (detail: string, errors?: FieldError[]) =>
  new AppError("VALIDATION_FAILED", detail, errors ? { errors } : {});
export const unauthenticated = (detail = "A valid bearer token is required.") =>
  new AppError("UNAUTHENTICATED", detail, {}, { "www-authenticate": 'Bearer realm="api"' });
export const dependencyUnavailable = (dependency: string) =>
  new AppError(
    "DEPENDENCY_UNAVAILABLE",
    `A service this request needs (${dependency}) is unavailable.`,
    {},
    {
      "retry-after": "1",
    },
  );
