/**
 * The Elysia plugin every service starts from, composed of small plugins: request ids, a trace
 * span per request (when tracing is on), request input checks (target, body size, JSON depth, NUL), problem+json errors, an access log with HTTP
 * metrics, /health, /ready and /metrics, and the service's OpenAPI document at /swagger.
 *
 *   new Elysia().use(httpKernel({ service: "order", logger, readiness: { postgres: () => ping(db) } }))
 */
import type { Logger } from "@platform/logging";
import { tracingEnabled } from "@platform/telemetry";
import { Elysia } from "elysia";
import "./formats.js";
import { createMetrics, type HttpMetrics } from "./metrics.js";
import { accessLog } from "./plugins/access-log.js";
import { openApiDocument } from "./plugins/openapi-document.js";
import { opsRoutes, type ReadinessCheck, type ServiceState } from "./plugins/ops-routes.js";
import { problemErrors } from "./plugins/problem-errors.js";
import { requestContext, requestIds } from "./plugins/request-ids.js";
import { requestInput } from "./plugins/request-input.js";
import { requestTracing } from "./plugins/request-tracing.js";

export interface HttpKernelOptions {
  service: string;
  logger: Logger;
  /** Named dependency checks for GET /ready, e.g. { postgres, redis }. */
  readiness?: Record<string, ReadinessCheck>;
  /**
   * Checks GET /ready reports without answering 503 for them: dependencies the service still
   * answers without, in part (the gateway's upstreams: a route whose service is away is a 503 of
   * its own, and an edge taken out of its load balancer would answer nothing at all).
   */
  degradable?: Record<string, ReadinessCheck>;
  /** A registry to share with other metrics of the process (event consumers); one is made if absent. */
  metrics?: HttpMetrics;
  /** Longest a readiness check may take before it counts as down. */
  readinessTimeoutMs?: number;
  version?: string;
  description?: string;
  /** Largest request body accepted (bytes); larger ones are 413 PAYLOAD_TOO_LARGE, declared or not. */
  maxBodyBytes?: number;
  /**
   * Whether the kernel parses request bodies (JSON with a depth limit, NUL refused): true unless the
   * app only streams bodies through (the gateway, which caps them itself as it forwards them).
   */
  parseBodies?: boolean;
  /**
   * The level of the "request completed" line of a successful request: `debug` behind the edge
   * (the gateway's access log has the request already; under load a line per request per service
   * costs more than the work), `info` at the edge. Errors (status >= 400) are always `info`.
   */
  accessLog?: "info" | "debug";
  /**
   * Whether GET /metrics is served with the app (true unless told). The gateway's app is the public
   * edge: it serves its metrics on a port of their own instead (services/gateway/src/routes/metrics-server.ts).
   */
  servesMetrics?: boolean;
}

export function httpKernel(options: HttpKernelOptions) {
  const {
    service,
    logger,
    readiness = {},
    degradable = {},
    readinessTimeoutMs = 2000,
    maxBodyBytes = 1024 * 1024,
  } = options;
  const metrics = options.metrics ?? createMetrics(service);
  const state: ServiceState = { draining: false };
  return (
    new Elysia({ name: "http-kernel", seed: service })
      .decorate("serviceState", state)
      .decorate("metrics", metrics)
      .use(requestIds())
      // Only with tracing on (started before the app is built): otherwise no per-request hooks.
      .use(tracingEnabled() ? requestTracing() : new Elysia({ name: "request-tracing" }))
      .use(accessLog({ logger, metrics, level: options.accessLog ?? "debug" }))
      .use(requestInput({ maxBodyBytes, parseBodies: options.parseBodies ?? true }))
      .use(requestContext(logger))
      .use(problemErrors(logger))
      .use(openApiDocument({ service, version: options.version, description: options.description }))
      .use(
        opsRoutes({
          service,
          logger,
          metrics: options.servesMetrics === false ? undefined : metrics,
          state,
          readiness,
          degradable,
          readinessTimeoutMs,
        }),
      )
  );
}
