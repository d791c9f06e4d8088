/**
 * Forwards one request to a service and streams the answer back: a body of declared length (already
 * checked against the limit) is passed through as a stream, never parsed here; an undeclared
 * (chunked) one is read up to the limit first, so an oversized one is 413 before any service sees
 * a byte of it. Hop-by-hop headers are dropped (with those a Connection header names), the request
 * id and the client's IP travel on, and the trace continues in the forwarding span's `traceparent`
 * (replacing the client's). The answer's body goes back as the service encoded it (compressed only
 * if the client asked for that), every Set-Cookie kept. A service that does not answer in time is
 * 504; one that cannot be reached is 503; both as problems naming no host. A `Location` the service
 * gives as a path of its own (`/orders/{id}`) goes back as the client reaches it (`/api/orders/{id}`).
 */
import { AppError } from "@platform/errors";
import { REQUEST_ID_HEADER, readBody } from "@platform/http";
import type { Logger } from "@platform/logging";
import { tracedFetch } from "@platform/telemetry";

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
]);

export interface ForwardOptions {
  upstream: string;
  /** The path on the service: the client's, without the prefix the edge mounts the services at. */
  path: string;
  /** That prefix (`/api`). */
  mountedAt: string;
  requestId: string;
  clientIp: string;
  timeoutMs: number;
  maxBodyBytes: number;
  logger: Logger;
  service: string;
}

export async function forward(request: Request, options: ForwardOptions): Promise<Response> {
  const incoming = new URL(request.url);
  const target = `${options.upstream}${options.path}${incoming.search}`;
  const headers = endToEnd(request.headers);
  headers.set(REQUEST_ID_HEADER, options.requestId);
  // The gateway is the edge: the client's own X-Forwarded-For is not trusted, the socket's address is.
  headers.set("x-forwarded-for", options.clientIp);
  const hasBody = request.method !== "GET" && request.method !== "HEAD" && request.body !== null;
  const body = !hasBody
    ? undefined
    : request.headers.has("content-length")
      ? request.body
      : await readBody(request, options.maxBodyBytes);
  let response: Response;
  try {
    response = await tracedFetch(`forward to ${options.service}`, target, {
      method: request.method,
      headers,
      body,
      // Streams the body through instead of buffering it.
      duplex: "half",
      redirect: "manual",
      // Passed on as encoded, with its Content-Encoding: decoded here, the client would get a
      // plain body still labelled gzip. (So fetch asks for no encoding the client did not ask for.)
      decompress: false,
      signal: AbortSignal.timeout(options.timeoutMs),
    } as RequestInit);
  } catch (error) {
    const name = (error as Error).name;
    options.logger.warn(
      { err: error, service: options.service, requestId: options.requestId },
      "upstream call failed",
    );
    if (name === "TimeoutError" || name === "AbortError") {
      throw new AppError("UPSTREAM_TIMEOUT", `The ${options.service} service did not answer in time.`);
    }
    throw new AppError(
      "DEPENDENCY_UNAVAILABLE",
      `The ${options.service} service is unavailable.`,
      {},
      { "retry-after": "1" },
    );
  }
  const out = endToEnd(response.headers);
  const location = out.get("location");
  if (location?.startsWith("/") && !location.startsWith("//"))
    out.set("location", options.mountedAt + location);
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers: out,
  });
}

/**
 * A message's headers for the next hop: without the hop-by-hop ones and those its Connection header
 * names (RFC 9110 §7.6.1). Appended one by one, so each Set-Cookie stays a header of its own.
 */
function endToEnd(from: Headers): Headers {
  const connection = from.get("connection");
  const named = connection ? connection.split(",").map((token) => token.trim().toLowerCase()) : [];
  const out = new Headers();
  for (const [name, value] of from)
    if (!HOP_BY_HOP.has(name) && !named.includes(name)) out.append(name, value);
  return out;
}
