/** The service's OpenAPI document at /swagger/json (and Swagger UI at /swagger). */
import { swagger } from "@elysiajs/swagger";
import { OPS_PATHS } from "./ops-routes.js";

export interface OpenApiDocumentOptions {
  service: string;
  version?: string;
  description?: string;
}

export function openApiDocument({ service, version = "0.1.0", description }: OpenApiDocumentOptions) {
  return swagger({
    path: "/swagger",
    exclude: [...OPS_PATHS],
    // The default drops every path with a dot, which would hide /.well-known/jwks.json.
    excludeStaticFile: false,
    documentation: { info: { title: `${service} service`, version, description } },
  });
}
