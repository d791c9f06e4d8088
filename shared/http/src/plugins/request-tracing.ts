/**
 * A SERVER span per request (probes aside), continuing the caller's trace from its `traceparent`
 * and active for the whole handling, so the spans of the calls a handler makes are its children.
 * Named `<method> <route pattern>` once the route is known; ends when the response is sent.
 */
import {
  contextFrom,
  type Span,
  SpanKind,
  SpanStatusCode,
  startActiveSpan,
  tracingEnabled,
} from "@platform/telemetry";
import { Elysia } from "elysia";
import { routeLabelOf } from "../route-label.js";
import { OPS_PATHS } from "./ops-routes.js";
import { responseStatus } from "./response-status.js";

export function requestTracing() {
  const spans = new WeakMap<Request, Span>();
  return new Elysia({ name: "request-tracing" })
    .onRequest(({ request }) => {
      if (!tracingEnabled()) return;
      const path = new URL(request.url).pathname;
      if (OPS_PATHS.has(path)) return;
      const span = startActiveSpan(request.method, {
        kind: SpanKind.SERVER,
        parent: contextFrom({
          traceparent: request.headers.get("traceparent"),
          tracestate: request.headers.get("tracestate"),
        }),
        attributes: { "http.request.method": request.method, "url.path": path },
      });
      if (span) spans.set(request, span);
    })
    .onAfterResponse({ as: "global" }, (context) => {
      const { request, set, route } = context;
      const span = spans.get(request);
      if (!span) return;
      const status = responseStatus(set, (context as { responseValue?: unknown }).responseValue);
      if (route) {
        const label = routeLabelOf(request, route);
        span.updateName(`${request.method} ${label}`);
        span.setAttribute("http.route", label);
      }
      span.setAttribute("http.response.status_code", status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
}
