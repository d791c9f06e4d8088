/** The gRPC server of the inventory service: the request-context middleware and the service. */
import type { Logger } from "@platform/logging";
import { InventoryServiceDefinition } from "@platform/proto";
import { createServer, type Server } from "nice-grpc";
import { type InventoryServiceDeps, inventoryService } from "./inventory-service.js";
import { requestContextMiddleware } from "./request-context.js";

export function createGrpcServer(deps: InventoryServiceDeps, logger: Logger): Server {
  const server = createServer().use(requestContextMiddleware(logger));
  server.add(InventoryServiceDefinition, inventoryService(deps));
  return server;
}
