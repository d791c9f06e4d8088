/**
 * The routes an operator and an orchestrator use: GET /health (the process answers), GET /ready
 * (every dependency answers, and the service is not draining; 200 "degraded" when only a
 * dependency it answers without is away) and GET /metrics (Prometheus; when given a registry).
 */
import type { Logger } from "@platform/logging";
import { Elysia } from "elysia";
import type { HttpMetrics } from "../metrics.js";
import { problem, problemResponse } from "../problem.js";
import { REQUEST_ID_HEADER } from "../request-id.js";

/** Paths left out of the OpenAPI document and logged at debug: probes call them all the time. */
export const OPS_PATHS = new Set(["/health", "/ready", "/metrics"]);

/** A readiness check: resolves when the dependency answers, rejects (or times out) when it does not. */
export type ReadinessCheck = () => Promise<unknown>;

/** Shared between the plugin and serve(): while draining, /ready answers 503 so traffic moves away. */
export interface ServiceState {
  draining: boolean;
}

export interface OpsRoutesOptions {
  service: string;
  logger: Logger;
  /** Served on GET /metrics; none, no such route. */
  metrics?: HttpMetrics;
  state: ServiceState;
  readiness: Record<string, ReadinessCheck>;
  /** Reported, but their failure leaves the service ready ("degraded"). */
  degradable: Record<string, ReadinessCheck>;
  readinessTimeoutMs: number;
}

export function opsRoutes({
  service,
  logger,
  metrics,
  state,
  readiness,
  degradable,
  readinessTimeoutMs,
}: OpsRoutesOptions) {
  const routes = new Elysia({ name: "ops-routes", seed: service })
    .get("/health", () => ({ status: "ok", service }), { detail: { hide: true } })
    .get(
      "/ready",
      async ({ set }) => {
        const requestId = String(set.headers[REQUEST_ID_HEADER]);
        if (state.draining) {
          return problemResponse(
            problem("DEPENDENCY_UNAVAILABLE", "The service is shutting down.", requestId, { checks: {} }),
          );
        }
        const checks = await runChecks({ ...degradable, ...readiness }, readinessTimeoutMs, logger);
        const failing = Object.entries(checks)
          .filter(([, result]) => result !== "ok")
          .map(([name]) => name);
        if (failing.every((name) => name in degradable && !(name in readiness))) {
          return { status: failing.length === 0 ? "ready" : "degraded", service, checks };
        }
        return problemResponse(
          problem("DEPENDENCY_UNAVAILABLE", `Not ready: ${failing.join(", ")} unavailable.`, requestId, {
            checks,
          }),
        );
      },
      { detail: { hide: true } },
    );
  if (!metrics) return routes;
  return routes.get(
    "/metrics",
    async ({ set }) => {
      set.headers["content-type"] = metrics.registry.contentType;
      return metrics.registry.metrics();
    },
    { detail: { hide: true } },
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
