/**
 * The Elysia plugin every service starts from: request ids, problem+json errors, /health, /ready,
 * /metrics, an access log with HTTP metrics, and the service's OpenAPI document at /swagger.
 *
 *   new Elysia().use(httpKernel({ service: "order", logger, readiness: { postgres: () => ping(db) } }))
 */
import { swagger } from "@elysiajs/swagger";
import { isDependencyFailure } from "@platform/errors";
import type { Logger } from "@platform/logging";
import { Elysia, ValidationError } from "elysia";
import { createMetrics, type HttpMetrics } from "./metrics.js";
import { AppError, type FieldError, problem, problemResponse } from "./problem.js";
import { REQUEST_ID_HEADER, resolveRequestId } from "./request-id.js";

/**
 * `requestId` and a child logger (`log`) for every handler. The kernel installs it; a route
 * instance uses it again only for the types (Elysia runs a named plugin once).
 */
export function requestContext(logger: Logger) {
  return new Elysia({ name: "request-context" }).derive({ as: "global" }, ({ set }) => {
    const requestId = String(set.headers[REQUEST_ID_HEADER]);
    return { requestId, log: logger.child({ requestId }) };
  });
}

/** A readiness check: resolves when the dependency answers, rejects (or times out) when it does not. */
export type ReadinessCheck = () => Promise<unknown>;

export interface HttpKernelOptions {
  service: string;
  logger: Logger;
  /** Named dependency checks for GET /ready, e.g. { postgres, redis }. */
  readiness?: Record<string, ReadinessCheck>;
  /** A registry to share with other metrics of the process (event consumers); one is made if absent. */
  metrics?: HttpMetrics;
  /** Longest a readiness check may take before it counts as down. */
  readinessTimeoutMs?: number;
  version?: string;
  description?: string;
  /** Largest request body accepted (bytes); larger ones are 413 PAYLOAD_TOO_LARGE before parsing. */
  maxBodyBytes?: number;
  /**
   * The level of the "request completed" line of a successful request: `debug` behind the edge
   * (the gateway's access log has the request already; under load a line per request per service
   * costs more than the work), `info` at the edge. Errors (status >= 400) are always `info`.
   */
  accessLog?: "info" | "debug";
}

/** Shared between the plugin and serve(): while draining, /ready answers 503 so traffic moves away. */
export interface ServiceState {
  draining: boolean;
}

const OPS_PATHS = new Set(["/health", "/ready", "/metrics"]);

export function httpKernel(options: HttpKernelOptions) {
  const {
    service,
    logger,
    readiness = {},
    readinessTimeoutMs = 2000,
    maxBodyBytes = 1024 * 1024,
    accessLog = "debug",
  } = options;
  const metrics = options.metrics ?? createMetrics(service);
  const state: ServiceState = { draining: false };
  const startedAt = new WeakMap<Request, number>();

  return (
    new Elysia({ name: "http-kernel", seed: service })
      .decorate("serviceState", state)
      .decorate("metrics", metrics)
      // onRequest runs before routing, so it applies to every route of the app that uses the plugin.
      .onRequest(({ request, set }) => {
        startedAt.set(request, performance.now());
        set.headers[REQUEST_ID_HEADER] = resolveRequestId(request.headers.get(REQUEST_ID_HEADER));
        // Declared sizes are refused here; undeclared (chunked) bodies are capped by serve().
        if (Number(request.headers.get("content-length") ?? 0) > maxBodyBytes) {
          throw new AppError(
            413,
            "PAYLOAD_TOO_LARGE",
            `The request body is larger than ${maxBodyBytes} bytes.`,
          );
        }
      })
      .use(requestContext(logger))
      .onError({ as: "global" }, ({ code, error, set, request, path }) => {
        const requestId = String(set.headers[REQUEST_ID_HEADER] ?? resolveRequestId(null));
        const headers = { [REQUEST_ID_HEADER]: requestId };
        if (error instanceof AppError) {
          return problemResponse(
            problem(error.status, error.code, error.message, requestId, error.extensions),
            {
              ...headers,
              ...error.headers,
            },
          );
        }
        if (code === "VALIDATION" && error instanceof ValidationError) {
          const errors = fieldErrors(error);
          const detail = `The ${error.type} is invalid: ${errors.map((e) => `${e.field} ${e.message}`).join("; ")}`;
          return problemResponse(problem(422, "VALIDATION_FAILED", detail, requestId, { errors }), headers);
        }
        if (code === "PARSE") {
          return problemResponse(
            problem(400, "VALIDATION_FAILED", "The request body could not be parsed.", requestId),
            headers,
          );
        }
        if (code === "NOT_FOUND") {
          return problemResponse(
            problem(404, "NOT_FOUND", `No route for ${request.method} ${path}.`, requestId),
            headers,
          );
        }
        if (isDependencyFailure(error)) {
          logger.warn({ err: error, requestId, method: request.method, path }, "a dependency is unavailable");
          return problemResponse(
            problem(
              503,
              "DEPENDENCY_UNAVAILABLE",
              "A service this request needs is unavailable; try again.",
              requestId,
            ),
            { ...headers, "retry-after": "1" },
          );
        }
        // Anything else is a bug: log it whole, tell the client nothing internal.
        logger.error({ err: error, requestId, method: request.method, path }, "unhandled error");
        return problemResponse(
          problem(500, "INTERNAL", "Something went wrong on our side.", requestId),
          headers,
        );
      })
      .onAfterResponse({ as: "global" }, (context) => {
        const { request, set, route, path } = context;
        const began = startedAt.get(request);
        const seconds = began === undefined ? 0 : (performance.now() - began) / 1000;
        const response = (context as { responseValue?: unknown }).responseValue;
        const status = response instanceof Response ? response.status : Number(set.status ?? 200);
        metrics.httpDuration.observe(
          { method: request.method, route: route || "unmatched", status },
          seconds,
        );
        const level = OPS_PATHS.has(path) ? "debug" : status >= 400 ? "info" : accessLog;
        logger[level](
          {
            requestId: set.headers[REQUEST_ID_HEADER],
            method: request.method,
            path,
            status,
            durationMs: Math.round(seconds * 1000 * 10) / 10,
          },
          "request completed",
        );
      })
      .use(
        swagger({
          path: "/swagger",
          exclude: [...OPS_PATHS],
          // The default drops every path with a dot, which would hide /.well-known/jwks.json.
          excludeStaticFile: false,
          documentation: {
            info: {
              title: `${service} service`,
              version: options.version ?? "0.1.0",
              description: options.description,
            },
          },
        }),
      )
      .get("/health", () => ({ status: "ok", service }), { detail: { hide: true } })
      .get(
        "/ready",
        async ({ set }) => {
          const requestId = String(set.headers[REQUEST_ID_HEADER]);
          if (state.draining) {
            return problemResponse(
              problem(503, "DEPENDENCY_UNAVAILABLE", "The service is shutting down.", requestId, {
                checks: {},
              }),
            );
          }
          const checks = await runChecks(readiness, readinessTimeoutMs, logger);
          const failing = Object.entries(checks)
            .filter(([, result]) => result !== "ok")
            .map(([name]) => name);
          if (failing.length === 0) return { status: "ready", service, checks };
          return problemResponse(
            problem(
              503,
              "DEPENDENCY_UNAVAILABLE",
              `Not ready: ${failing.join(", ")} unavailable.`,
              requestId,
              {
                checks,
              },
            ),
          );
        },
        { detail: { hide: true } },
      )
      .get(
        "/metrics",
        async ({ set }) => {
          set.headers["content-type"] = metrics.registry.contentType;
          return metrics.registry.metrics();
        },
        { detail: { hide: true } },
      )
  );
}

async function runChecks(
  checks: Record<string, ReadinessCheck>,
  timeoutMs: number,
  logger: Logger,
): Promise<Record<string, "ok" | "down" | "timeout">> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), timeoutMs);
      });
      try {
        const result = await Promise.race([check().then(() => "ok" as const), timeout]);
        if (result === "timeout") logger.warn({ check: name, timeoutMs }, "readiness check timed out");
        return [name, result] as const;
      } catch (err) {
        logger.warn({ check: name, err }, "readiness check failed");
        return [name, "down" as const] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return Object.fromEntries(entries);
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
