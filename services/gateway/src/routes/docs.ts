/**
 * The public API's documentation, as clients see it:
 * - GET /docs/openapi.json: one document merged from every service's, fetched live, with the
 *   paths under /api, nothing that the gateway does not forward (internal routes, the JWKS), and
 *   the answers the edge adds to every operation (429, 504);
 * - GET /docs: Swagger UI over it, its script and style served from the gateway itself (the
 *   swagger-ui-dist package), so it renders with no network beyond the gateway. "Try it out" goes
 *   through the edge like any client; "Authorize" takes the accessToken of POST /api/auth/login.
 */
import { dirname, join } from "node:path";
import { AppError } from "@platform/errors";
import { problemResponses } from "@platform/http";
import { Elysia, t } from "elysia";
import { matchRoute, type ServiceName } from "../domain/upstream-routes.js";

const SWAGGER_UI_DIST = dirname(Bun.resolveSync("swagger-ui-dist/package.json", import.meta.dir));
const ASSETS = new Set(["swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"]);

// biome-ignore lint/suspicious/noExplicitAny: OpenAPI documents are arbitrary JSON
type Json = any;

const page = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Order &amp; Notification Platform API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
<script src="/docs/assets/init.js"></script>
</body></html>`;

// A script of its own (not inline), so the page works under a script-src 'self' policy.
const init = `window.ui = SwaggerUIBundle({
  dom_id: "#ui",
  url: "/docs/openapi.json",
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: "StandaloneLayout",
  persistAuthorization: true,
});`;

export function docsRoutes(upstreams: Record<ServiceName, string>, timeoutMs: number) {
  const names = Object.keys(upstreams) as ServiceName[];

  async function serviceDocument(service: ServiceName): Promise<Json> {
    const response = await fetch(`${upstreams[service]}/swagger/json`, {
      signal: AbortSignal.timeout(timeoutMs),
    }).catch(() => undefined);
    if (!response?.ok) {
      throw new AppError("DEPENDENCY_UNAVAILABLE", `The ${service} service's document is unavailable.`);
    }
    return response.json();
  }

  return new Elysia({ tags: ["docs"] })
    .get(
      "/docs",
      ({ set }) => {
        set.headers["content-type"] = "text/html; charset=utf-8";
        set.headers["content-security-policy"] =
          "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";
        return page;
      },
      { detail: { hide: true } },
    )
    .get(
      "/docs/assets/:file",
      ({ params, set }) => {
        if (params.file === "init.js") {
          set.headers["content-type"] = "text/javascript; charset=utf-8";
          return init;
        }
        if (!ASSETS.has(params.file)) throw new AppError("NOT_FOUND", "No such asset.");
        set.headers["cache-control"] = "public, max-age=86400";
        return Bun.file(join(SWAGGER_UI_DIST, params.file));
      },
      { params: t.Object({ file: t.String({ maxLength: 64 }) }), detail: { hide: true } },
    )
    .get("/docs/openapi.json", async () => publicDocument(await Promise.all(names.map(serviceDocument))), {
      detail: { hide: true },
    });
}

/** The services' documents as one, as seen through the gateway. */
export function publicDocument(documents: Json[]): Json {
  const paths: Json = {};
  const schemas: Json = {};
  const tags = new Map<string, Json>();
  for (const document of documents) {
    Object.assign(schemas, document.components?.schemas);
    for (const tag of document.tags ?? []) tags.set(tag.name, tag);
    for (const [path, item] of Object.entries<Json>(document.paths ?? {})) {
      const operations: Json = {};
      for (const [method, operation] of Object.entries<Json>(item)) {
        // Forwarded only if the gateway routes it (never /internal, never the JWKS).
        if (!matchRoute(method.toUpperCase(), path.replace(/\{[^}]+\}/g, "x"))) continue;
        operations[method] = withEdgeAnswers(operation);
      }
      if (Object.keys(operations).length > 0) paths[`/api${path}`] = operations;
    }
  }
  const first = documents[0] ?? {};
  return {
    openapi: first.openapi ?? "3.0.3",
    info: {
      title: "Order & Notification Platform API",
      version: first.info?.version ?? "0.1.0",
      description:
        "Every public route, through the gateway. Log in (POST /api/auth/login) and Authorize with the accessToken.",
    },
    servers: [{ url: "/", description: "this gateway" }],
    tags: [...tags.values()],
    paths,
    components: { schemas, securitySchemes: first.components?.securitySchemes ?? {} },
  };
}

/** What the edge itself may answer on any operation, besides what the service does (which wins). */
const EDGE_ANSWERS = problemResponses(["RATE_LIMITED", "UPSTREAM_TIMEOUT"]);

const withEdgeAnswers = (operation: Json): Json => ({
  ...operation,
  responses: { ...EDGE_ANSWERS, ...operation.responses },
});
