/**
 * nice-grpc middlewares for the RED metrics of gRPC calls on /metrics (ARCHITECTURE §10): per
 * method, how many calls ended with each status and how long they took.
 *
 *   grpc_server_handled_total{method,code}   grpc_server_handling_seconds{method}
 *   grpc_client_handled_total{method,code}   grpc_client_handling_seconds{method}
 *
 * `method` is the call's path (`/inventory.v1.InventoryService/Reserve`), `code` the status name
 * (`OK`, `FAILED_PRECONDITION`, `UNAVAILABLE`, ...). Where each sits in its chain decides what it
 * sees: the server's goes first (outermost), so an error has already become the status the client
 * gets; the client's goes last (outermost too: nice-grpc runs a client's last middleware first),
 * so a call counts once, as its caller saw it, retries and backoff included. Every attempt that
 * reached the server is in the server's counters.
 */
import {
  type CallContext,
  type CallOptions,
  ClientError,
  type ClientMiddlewareCall,
  ServerError,
  type ServerMiddlewareCall,
  Status,
} from "nice-grpc";
import { Counter, Histogram, type Registry } from "prom-client";

/** From ~1 ms (a Redis script) to the 2 s default deadline and past it. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

type Side = "server" | "client";

/** A call the client cancelled (or, on the client, whose signal was aborted): nice-grpc says CANCELLED. */
const isAbortError = (error: unknown) => error instanceof Error && error.name === "AbortError";

function redMetrics(registry: Registry, side: Side) {
  const handled = `grpc_${side}_handled_total`;
  const seconds = `grpc_${side}_handling_seconds`;
  const who = side === "server" ? "handled by this server" : "made by this client";
  // Two servers or clients of one process may share its registry: the second reuses the metrics.
  return {
    handled:
      (registry.getSingleMetric(handled) as Counter<"method" | "code"> | undefined) ??
      new Counter({
        name: handled,
        help: `gRPC calls ${who}, by method and status code`,
        labelNames: ["method", "code"] as const,
        registers: [registry],
      }),
    seconds:
      (registry.getSingleMetric(seconds) as Histogram<"method"> | undefined) ??
      new Histogram({
        name: seconds,
        help: `Duration of the gRPC calls ${who}, by method`,
        labelNames: ["method"] as const,
        buckets: BUCKETS,
        registers: [registry],
      }),
  };
}

export function grpcServerMetricsMiddleware(registry: Registry) {
  const { handled, seconds } = redMetrics(registry, "server");
  return async function* grpcServerMetrics<Request, Response>(
    call: ServerMiddlewareCall<Request, Response>,
    context: CallContext,
  ) {
    const method = call.method.path;
    const done = seconds.startTimer({ method });
    let code = Status.OK;
    try {
      return yield* call.next(call.request, context);
    } catch (error) {
      // What nice-grpc answers: a ServerError's status, CANCELLED for an aborted call, else UNKNOWN.
      code =
        error instanceof ServerError ? error.code : isAbortError(error) ? Status.CANCELLED : Status.UNKNOWN;
      throw error;
    } finally {
      done();
      handled.inc({ method, code: Status[code] });
    }
  };
}

/** Without a registry, calls pass straight through (a client that reports no metrics). */
export function grpcClientMetricsMiddleware(registry: Registry | undefined) {
  if (!registry) {
    return async function* grpcClientPassThrough<Request, Response>(
      call: ClientMiddlewareCall<Request, Response>,
      options: CallOptions,
    ) {
      return yield* call.next(call.request, options);
    };
  }
  const { handled, seconds } = redMetrics(registry, "client");
  return async function* grpcClientMetrics<Request, Response>(
    call: ClientMiddlewareCall<Request, Response>,
    options: CallOptions,
  ) {
    const method = call.method.path;
    const done = seconds.startTimer({ method });
    let code = Status.OK;
    try {
      return yield* call.next(call.request, options);
    } catch (error) {
      code =
        error instanceof ClientError ? error.code : isAbortError(error) ? Status.CANCELLED : Status.UNKNOWN;
      throw error;
    } finally {
      done();
      handled.inc({ method, code: Status[code] });
    }
  };
}
