/**
 * The gateway: every public route of the platform under /api, in this order per request:
 * request id, target and body checks (the kernel) → IP rate limit (every path but /health, before
 * any token is looked at) → route (unknown and internal paths are 404) → token check for protected
 * routes (401 before anything is forwarded) → user rate limit → forward, streaming both ways. Plus
 * /api/ws, /docs, /health, /ready (the services); /metrics is on a port of its own
 * (routes/metrics-server.ts). Every answer carries the security headers; /api answers are never cached.
 */
import { cors } from "@elysiajs/cors";
import type { RevocationList, TokenVerifier } from "@platform/auth";
import { bearerToken } from "@platform/auth";
import { AppError, notFound } from "@platform/errors";
import {
  clientIp,
  type HttpMetrics,
  httpKernel,
  labelRoute,
  REQUEST_ID_HEADER,
  trustedProxies,
} from "@platform/http";
import type { Logger } from "@platform/logging";
import { Elysia } from "elysia";
import type { Redis } from "ioredis";
import { corsOrigins, type GatewayConfig } from "./config.js";
import { API_HEADERS, SECURITY_HEADERS } from "./domain/security-headers.js";
import { knownMethods, matchRoute, type ServiceName } from "./domain/upstream-routes.js";
import { forward } from "./proxy/forward.js";
import { websocketProxy } from "./proxy/websocket-proxy.js";
import { type RateLimiter, tighter } from "./rate-limit/rate-limiter.js";
import { consoleResponder } from "./routes/console.js";
import { docsRoutes } from "./routes/docs.js";

export interface GatewayDeps {
  redis: Redis;
  verifier: TokenVerifier;
  revocations?: RevocationList;
  limiter: RateLimiter;
  /** Served by the metrics server (routes/metrics-server.ts), not by this app. */
  metrics: HttpMetrics;
  logger: Logger;
}

export function createApp(
  config: GatewayConfig,
  { redis, verifier, revocations, limiter, metrics, logger }: GatewayDeps,
) {
  const upstreams: Record<ServiceName, string> = {
    user: config.USER_URL,
    inventory: config.INVENTORY_URL,
    order: config.ORDER_URL,
    activity: config.ACTIVITY_URL,
    notification: config.NOTIFICATION_URL,
    payment: config.PAYMENT_URL,
  };
  const origins = corsOrigins(config);
  const proxies = trustedProxies(config.TRUSTED_PROXIES);
  const upstreamHealthy = (service: ServiceName) => async () => {
    const response = await fetch(`${upstreams[service]}/health`, { signal: AbortSignal.timeout(1_000) });
    if (!response.ok) throw new Error(`${service} answered ${response.status}`);
  };

  const app = new Elysia().use(
    httpKernel({
      service: "gateway",
      logger,
      accessLog: "info",
      metrics,
      servesMetrics: false,
      maxBodyBytes: config.MAX_BODY_BYTES,
      parseBodies: false,
      description: "The public edge of the platform: every /api route, /docs.",
      // Reported on /ready, never a 503 of it: the edge answers without any one of them (without
      // Redis, unlimited; without a service, that service's routes are 503), and an orchestrator
      // that took every gateway out of its load balancer for one service's outage would leave the
      // whole API and the console unreachable.
      degradable: {
        redis: () => redis.ping(),
        ...Object.fromEntries((Object.keys(upstreams) as ServiceName[]).map((s) => [s, upstreamHealthy(s)])),
      },
    }),
  );
  // Liveness probes are never limited: a busy edge must not look dead to its orchestrator.
  const unlimited = new Set(["/health"]);
  const ipOf = (request: Request, server: { requestIP(r: Request): { address: string } | null } | null) =>
    clientIp(request, server?.requestIP(request)?.address, proxies);
  const consoleAnswer = consoleResponder(config.CONSOLE_DIR, logger);
  app.onRequest(async ({ request, server, set }) => {
    const path = new URL(request.url).pathname;
    Object.assign(set.headers, SECURITY_HEADERS, path.startsWith("/api/") ? API_HEADERS : {});
    if (unlimited.has(path)) return;
    Object.assign(set.headers, await limiter.takeForIp(ipOf(request, server)));
    // The web console's files and app routes (after the limit: a page load counts like any request).
    return consoleAnswer(request.method, path);
  });
  if (origins.length > 0) {
    app.use(
      cors({
        origin: origins,
        exposeHeaders: [
          REQUEST_ID_HEADER,
          "ratelimit-limit",
          "ratelimit-remaining",
          "ratelimit-reset",
          "retry-after",
          "location",
          "idempotent-replayed",
        ],
      }),
    );
  }
  return app
    .use(docsRoutes(upstreams, config.UPSTREAM_TIMEOUT_MS))
    .use(
      websocketProxy({
        notificationUrl: config.NOTIFICATION_URL,
        maxSocketsPerUser: config.WS_MAX_SOCKETS_PER_USER,
        verifier,
        revocations,
        logger,
      }),
    )
    .all(
      "/api/*",
      async ({ request, server, requestId, set }) => {
        // URL parsing has already resolved dot segments ("/api/users/../internal" is "/api/internal").
        const path = new URL(request.url).pathname.slice("/api".length);
        const allowed = knownMethods(path);
        if (allowed && !allowed.includes(request.method)) {
          throw new AppError(
            "METHOD_NOT_ALLOWED",
            `${request.method} is not supported here; use ${allowed.join(", ")}.`,
            {},
            { allow: allowed.join(", ") },
          );
        }
        const route = matchRoute(request.method, path);
        if (!route) throw notFound(`No route for ${request.method} /api${path}.`);
        labelRoute(request, route.label);
        const ip = ipOf(request, server);
        let userId: string | undefined;
        const token = bearerToken(request.headers.get("authorization"));
        if (route.authenticated) {
          if (!token)
            throw new AppError(
              "UNAUTHENTICATED",
              "A valid bearer token is required.",
              {},
              { "www-authenticate": 'Bearer realm="api"' },
            );
          userId = (await verifier.verify(token)).userId;
        }
        if (userId) {
          Object.assign(
            set.headers,
            tighter(set.headers as Record<string, string>, await limiter.takeForUser(userId)),
          );
        }
        const response = await forward(request, {
          upstream: upstreams[route.service],
          path,
          mountedAt: "/api",
          requestId,
          clientIp: ip,
          timeoutMs: config.UPSTREAM_TIMEOUT_MS,
          maxBodyBytes: config.MAX_BODY_BYTES,
          logger,
          service: route.service,
        });
        return response;
      },
      { detail: { hide: true } },
    );
}
