/**
 * The gateway's GET /metrics, on METRICS_PORT: a port for the scraper, which neither compose nor
 * Kubernetes publishes (the network policy lets Prometheus alone reach it). On the public port
 * /metrics is an unknown path like any other: 404, and rate-limited.
 */
import type { HttpMetrics } from "@platform/http";
import type { Server } from "bun";

export function serveMetrics(
  metrics: HttpMetrics,
  { hostname, port }: { hostname: string; port: number },
): Server<undefined> {
  return Bun.serve({
    hostname,
    port,
    async fetch(request) {
      const { pathname } = new URL(request.url);
      if (request.method !== "GET" || pathname !== "/metrics")
        return new Response("Not found\n", { status: 404 });
      return new Response(await metrics.registry.metrics(), {
        headers: { "content-type": metrics.registry.contentType },
      });
    },
  });
}
