/**
 * The access log and the HTTP duration histogram: one observation and one log line per request,
 * written after the response is sent.
 */
import type { Logger } from "@platform/logging";
import { Elysia } from "elysia";
import type { HttpMetrics } from "../metrics.js";
import { REQUEST_ID_HEADER } from "../request-id.js";
import { routeLabelOf } from "../route-label.js";
import { OPS_PATHS } from "./ops-routes.js";
import { responseStatus } from "./response-status.js";

export interface AccessLogOptions {
  logger: Logger;
  metrics: HttpMetrics;
  /** The level of a successful request's line; errors (status >= 400) are always `info`. */
  level: "info" | "debug";
}

export function accessLog({ logger, metrics, level }: AccessLogOptions) {
  const startedAt = new WeakMap<Request, number>();
  return new Elysia({ name: "access-log" })
    .onRequest(({ request }) => {
      startedAt.set(request, performance.now());
    })
    .onAfterResponse({ as: "global" }, (context) => {
      const { request, set, route, path } = context;
      const began = startedAt.get(request);
      const seconds = began === undefined ? 0 : (performance.now() - began) / 1000;
      const status = responseStatus(set, (context as { responseValue?: unknown }).responseValue);
      metrics.httpDuration.observe(
        { method: request.method, route: routeLabelOf(request, route || "unmatched"), status },
        seconds,
      );
      const lineLevel = OPS_PATHS.has(path) ? "debug" : status >= 400 ? "info" : level;
      logger[lineLevel](
        {
          requestId: set.headers[REQUEST_ID_HEADER],
          method: request.method,
          path,
          status,
          durationMs: Math.round(seconds * 1000 * 10) / 10,
        },
        "request completed",
      );
    });
}
