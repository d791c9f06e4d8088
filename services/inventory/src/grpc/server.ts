/** The inventory's gRPC server: tracing, metrics, the request-context middleware and the service. */
import type { Logger } from "@platform/logging";
import { grpcServerMetricsMiddleware, grpcServerTracing, InventoryServiceDefinition } from "@platform/proto";
import { tracingEnabled } from "@platform/telemetry";
import { createServer, type Server } from "nice-grpc";
import type { Registry } from "prom-client";
import { type InventoryServiceDeps, inventoryService } from "./inventory-service.js";
import { requestContextMiddleware } from "./request-context.js";

export function createGrpcServer(deps: InventoryServiceDeps, logger: Logger, registry: Registry): Server {
  // The metrics outside the request context: they count the status it made of an error.
  // Tracing only when it was started (before the server is made): with it off, no extra layer.
  const server = (tracingEnabled() ? createServer().use(grpcServerTracing) : createServer())
    .use(grpcServerMetricsMiddleware(registry))
    .use(requestContextMiddleware(logger));
  server.add(InventoryServiceDefinition, inventoryService(deps));
  return server;
}
