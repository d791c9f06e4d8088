/**
 * nice-grpc server middleware: the request id from the `x-request-id` metadata (or a new one), a
 * child logger for the call, and the one place where errors become gRPC statuses.
 */
import { AppError, type ErrorCode, isDependencyFailure } from "@platform/errors";
import { resolveRequestId } from "@platform/http";
import type { Logger } from "@platform/logging";
import { REQUEST_ID_METADATA_KEY } from "@platform/proto";
import { type CallContext, ServerError, type ServerMiddlewareCall, Status } from "nice-grpc";

export interface RequestContext {
  requestId: string;
  log: Logger;
  /** A logger for what this call does on behalf of another request (an item of a batch). */
  logFor(requestId: string): Logger;
}

/** Every error code's gRPC status: a code added to @platform/errors must be placed here too. */
const STATUS_BY_CODE: Record<ErrorCode, Status> = {
  MALFORMED_REQUEST: Status.INVALID_ARGUMENT,
  INVALID_SIGNATURE: Status.INVALID_ARGUMENT,
  VALIDATION_FAILED: Status.INVALID_ARGUMENT,
  UNAUTHENTICATED: Status.UNAUTHENTICATED,
  INVALID_CREDENTIALS: Status.UNAUTHENTICATED,
  FORBIDDEN: Status.PERMISSION_DENIED,
  NOT_FOUND: Status.NOT_FOUND,
  UNKNOWN_SKU: Status.NOT_FOUND,
  METHOD_NOT_ALLOWED: Status.UNIMPLEMENTED,
  EMAIL_TAKEN: Status.ALREADY_EXISTS,
  SKU_EXISTS: Status.ALREADY_EXISTS,
  INSUFFICIENT_STOCK: Status.FAILED_PRECONDITION,
  INVALID_TRANSITION: Status.FAILED_PRECONDITION,
  IDEMPOTENCY_KEY_REUSED: Status.FAILED_PRECONDITION,
  IDEMPOTENCY_KEY_IN_PROGRESS: Status.ABORTED,
  PAYLOAD_TOO_LARGE: Status.RESOURCE_EXHAUSTED,
  RATE_LIMITED: Status.RESOURCE_EXHAUSTED,
  INTERNAL: Status.INTERNAL,
  DEPENDENCY_UNAVAILABLE: Status.UNAVAILABLE,
  UPSTREAM_TIMEOUT: Status.DEADLINE_EXCEEDED,
};

/** The gRPC status a handler's AppError becomes. */
export const grpcStatusOf = (error: AppError): Status => STATUS_BY_CODE[error.code];

/** A call the client cancelled or whose deadline passed: nice-grpc answers it itself. */
const isAbortError = (error: unknown) => error instanceof Error && error.name === "AbortError";

export function requestContextMiddleware(logger: Logger) {
  return async function* requestContext<Request, Response>(
    call: ServerMiddlewareCall<Request, Response, RequestContext>,
    context: CallContext,
  ) {
    const requestId = resolveRequestId(context.metadata.get(REQUEST_ID_METADATA_KEY));
    const logFor = (id: string) => logger.child({ requestId: id, rpc: call.method.path });
    const log = logFor(requestId);
    const started = performance.now();
    try {
      const result = yield* call.next(call.request, { ...context, requestId, log, logFor });
      log.debug({ durationMs: Math.round(performance.now() - started) }, "rpc completed");
      return result;
    } catch (error) {
      if (error instanceof ServerError || isAbortError(error)) {
        log.info({ status: error instanceof ServerError ? Status[error.code] : "CANCELLED" }, "rpc ended");
        throw error;
      }
      if (error instanceof AppError) {
        const status = grpcStatusOf(error);
        log.info({ status: Status[status], code: error.code }, "rpc rejected");
        throw new ServerError(status, error.message);
      }
      if (isDependencyFailure(error)) {
        log.warn({ err: error }, "rpc failed: a dependency is unavailable");
        throw new ServerError(Status.UNAVAILABLE, "a dependency is unavailable");
      }
      log.error({ err: error }, "rpc failed");
      throw new ServerError(Status.INTERNAL, "internal error");
    }
  };
}
