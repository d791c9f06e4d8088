/** The inventory's gRPC server: tracing, metrics, the request-context middleware and the service. */
import type { Logger } from "@platform/logging";
import { grpcServerMetricsMiddleware, grpcServerTracing, InventoryServiceDefinition } from "@platform/proto";
import { tracingEnabled } from "@platform/telemetry";
import { createServer, type Server } from "nice-grpc";
import type { Registry } from "prom-client";
import { type InventoryServiceDeps, inventoryService } from "./inventory-service.js";
import { requestContextMiddleware } from "./request-context.js";

/** What calls in flight get to finish on a connection asked to go (their deadline is 2 s). */
const CONNECTION_AGE_GRACE_MS = 10_000;

export function createGrpcServer(
  deps: InventoryServiceDeps,
  logger: Logger,
  registry: Registry,
  { maxConnectionAgeMs }: { maxConnectionAgeMs: number },
): Server {
  // A connection past its age is sent GOAWAY: the client finishes its calls on it and reconnects,
  // through the Service, to any replica (grpc-js adds ±10 % jitter, so clients do not move together).
  const options =
    maxConnectionAgeMs > 0
      ? {
          "grpc.max_connection_age_ms": maxConnectionAgeMs,
          "grpc.max_connection_age_grace_ms": CONNECTION_AGE_GRACE_MS,
        }
      : {};
  // The metrics outside the request context: they count the status it made of an error.
  // Tracing only when it was started (before the server is made): with it off, no extra layer.
  const server = (tracingEnabled() ? createServer(options).use(grpcServerTracing) : createServer(options))
    .use(grpcServerMetricsMiddleware(registry))
    .use(requestContextMiddleware(logger));
  server.add(InventoryServiceDefinition, inventoryService(deps));
  return server;
}
