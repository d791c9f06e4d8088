/** Outgoing HTTP calls in a CLIENT span whose context travels on in the request's `traceparent`. */
import { injectTraceContext, SpanKind, SpanStatusCode, tracingEnabled, withSpan } from "./tracing.js";

/**
 * fetch, traced: the span covers the call until the response's headers arrive and records its
 * status. Without tracing, plain fetch.
 */
/**
 * The address without its query: a query can carry a secret (a checkout link's client secret), and
 * traces are read by more people than the secret's owner.
 */
function withoutQuery(url: string): string {
  const query = url.indexOf("?");
  return query < 0 ? url : url.slice(0, query);
}

export function tracedFetch(spanName: string, url: string, init: RequestInit = {}): Promise<Response> {
  if (!tracingEnabled()) return fetch(url, init);
  const method = init.method ?? "GET";
  return withSpan(
    spanName,
    { kind: SpanKind.CLIENT, attributes: { "http.request.method": method, "url.full": withoutQuery(url) } },
    async (span) => {
      const headers = new Headers(init.headers);
      for (const [name, value] of Object.entries(injectTraceContext({}))) headers.set(name, value);
      const response = await fetch(url, { ...init, headers });
      span?.setAttribute("http.response.status_code", response.status);
      if (response.status >= 500) span?.setStatus({ code: SpanStatusCode.ERROR });
      return response;
    },
  );
}
