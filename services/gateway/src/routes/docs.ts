/**
 * GET /docs: Swagger UI over every service's OpenAPI document, fetched live from the services
 * (GET /docs/{service}.json), with the server set to the gateway's /api so "Try it out" goes
 * through the edge like any client. The UI's script and style come from the jsDelivr CDN, as the
 * services' own /swagger pages do.
 */
import { AppError } from "@platform/errors";
import { Elysia, t } from "elysia";
import type { ServiceName } from "../domain/upstream-routes.js";

const SWAGGER_UI = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5";

export function docsRoutes(upstreams: Record<ServiceName, string>, timeoutMs: number) {
  const names = Object.keys(upstreams) as ServiceName[];
  const page = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Order &amp; Notification Platform API</title>
<link rel="stylesheet" href="${SWAGGER_UI}/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="${SWAGGER_UI}/swagger-ui-bundle.js"></script>
<script src="${SWAGGER_UI}/swagger-ui-standalone-preset.js"></script>
<script>
  SwaggerUIBundle({
    dom_id: "#ui",
    urls: ${JSON.stringify(names.map((name) => ({ name, url: `/docs/${name}.json` })))},
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout",
  });
</script>
</body></html>`;

  return new Elysia({ tags: ["docs"] })
    .get(
      "/docs",
      ({ set }) => {
        set.headers["content-type"] = "text/html; charset=utf-8";
        return page;
      },
      { detail: { hide: true } },
    )
    .get(
      "/docs/:service",
      async ({ params }) => {
        const service = params.service.replace(/\.json$/, "") as ServiceName;
        if (!names.includes(service)) throw new AppError("NOT_FOUND", "No such service.");
        const response = await fetch(`${upstreams[service]}/swagger/json`, {
          signal: AbortSignal.timeout(timeoutMs),
        }).catch(() => undefined);
        if (!response?.ok)
          throw new AppError("DEPENDENCY_UNAVAILABLE", `The ${service} service's document is unavailable.`);
        const document = (await response.json()) as Record<string, unknown>;
        return { ...document, servers: [{ url: "/api", description: "through the gateway" }] };
      },
      { params: t.Object({ service: t.String({ maxLength: 40 }) }), detail: { hide: true } },
    );
}
