/**
 * The OpenAPI document as clients need it, completed from what the routes already say:
 *
 * - every operation lists every answer it can give: its own successes, the problems every route of
 *   the kernel can answer (400 malformed target or body, 413, 422, 500, 503), 404 where the path
 *   has parameters, 401/403 where a token is required, and the codes the route names itself
 *   (`detail: { ...problems("EMAIL_TAKEN") }`), each as application/problem+json against one shared
 *   Problem schema with its `code` enumerated;
 * - the `bearerAuth` scheme, on the operations whose route requires a token;
 * - schemas as they are accepted: Elysia's numeric types are written as "integer or numeric
 *   string", which is what its coercion of query strings accepts, not what a client should send;
 *   they are written as the number they are; `const` (not OpenAPI 3.0) as a one-value enum; free
 *   text without NUL; unknown members allowed (Elysia drops them unread, it never refuses them).
 *   Bodies and answers are JSON only.
 */
import { ERROR_STATUS, type ErrorCode } from "@platform/errors";
import { PROBLEM_CONTENT_TYPE } from "../problem.js";

// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document is arbitrary JSON
type Json = any;

/** What the kernel needs to know of a route, from Elysia's route table. */
export interface RouteFacts {
  method: string;
  /** OpenAPI form: /users/{id}. */
  path: string;
  requiresToken: boolean;
}

/** Spread into a route's `detail`: the problem codes it answers beyond the kernel's own. */
export const problems = (...codes: ErrorCode[]) => ({ "x-problems": codes });

const EVERY_OPERATION: ErrorCode[] = [
  "MALFORMED_REQUEST",
  "PAYLOAD_TOO_LARGE",
  "VALIDATION_FAILED",
  "INTERNAL",
  "DEPENDENCY_UNAVAILABLE",
];
const WITH_PATH_PARAMETERS: ErrorCode[] = ["NOT_FOUND"];
const WITH_TOKEN: ErrorCode[] = ["UNAUTHENTICATED", "FORBIDDEN"];
const HTTP_METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

export const PROBLEM_SCHEMA = {
  type: "object",
  description: "RFC 9457 problem details",
  required: ["type", "title", "status", "detail", "code", "requestId"],
  properties: {
    type: { type: "string", format: "uri" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    code: { type: "string", enum: Object.keys(ERROR_STATUS) },
    requestId: { type: "string" },
    errors: {
      type: "array",
      items: {
        type: "object",
        required: ["field", "message"],
        properties: { field: { type: "string" }, message: { type: "string" } },
      },
    },
  },
};

const HEADERS_BY_STATUS: Record<number, Json> = {
  401: { "WWW-Authenticate": { schema: { type: "string" }, description: "Bearer realm" } },
  405: { Allow: { schema: { type: "string" }, description: "the methods the path supports" } },
  409: { "Retry-After": { schema: { type: "string" }, description: "seconds (a request still running)" } },
  429: { "Retry-After": { schema: { type: "string" }, description: "seconds until a retry may pass" } },
  503: { "Retry-After": { schema: { type: "string" }, description: "seconds" } },
};

export interface CompleteOptions {
  /** Codes every operation may answer besides the kernel's (the gateway: RATE_LIMITED, UPSTREAM_TIMEOUT). */
  extraCodes?: ErrorCode[];
}

export function completeDocument(document: Json, routes: RouteFacts[], options: CompleteOptions = {}): Json {
  const doc = normaliseSchemas(structuredClone(document));
  const needsToken = new Set(
    routes.filter((r) => r.requiresToken).map((r) => `${r.method.toLowerCase()} ${r.path}`),
  );
  for (const [path, item] of Object.entries<Json>(doc.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const secured = needsToken.has(`${method} ${path}`);
      if (secured) operation.security = [{ bearerAuth: [] }];
      const codes = new Set<ErrorCode>([
        ...EVERY_OPERATION,
        ...(options.extraCodes ?? []),
        ...(path.includes("{") ? WITH_PATH_PARAMETERS : []),
        ...(secured ? WITH_TOKEN : []),
        ...((operation["x-problems"] ?? []) as ErrorCode[]),
      ]);
      delete operation["x-problems"];
      operation.responses = { ...jsonOnly(operation.responses ?? {}), ...problemResponses(codes) };
      if (operation.requestBody) operation.requestBody = withoutNul(jsonOnlyBody(operation.requestBody));
      // A query parameter with a default may be left out: the default is what is used then.
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in === "query" && parameter.schema?.default !== undefined) parameter.required = false;
        parameter.schema = withoutNul(parameter.schema);
      }
    }
  }
  doc.components = {
    ...doc.components,
    schemas: { ...doc.components?.schemas, Problem: PROBLEM_SCHEMA },
    securitySchemes: {
      ...doc.components?.securitySchemes,
      bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
    },
  };
  return doc;
}

/** The problem+json responses for these codes, grouped by status, each with its codes enumerated. */
export function problemResponses(codes: Iterable<ErrorCode>): Json {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Json = {};
  for (const [status, statusCodes] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[status] = {
      description: statusCodes.join(", "),
      ...(HEADERS_BY_STATUS[status] ? { headers: HEADERS_BY_STATUS[status] } : {}),
      content: {
        [PROBLEM_CONTENT_TYPE]: {
          schema: {
            allOf: [
              { $ref: "#/components/schemas/Problem" },
              { properties: { code: { enum: statusCodes } } },
            ],
          },
        },
      },
    };
  }
  return responses;
}

/** Successful answers: JSON only (Elysia also lists multipart and text, which nothing sends). */
function jsonOnly(responses: Json): Json {
  const out: Json = {};
  for (const [status, response] of Object.entries<Json>(responses)) {
    const json = response?.content?.["application/json"];
    const described = { description: response?.description ?? describeStatus(status), ...response };
    if (json) described.content = { "application/json": json };
    else delete described.content;
    out[status] = described;
  }
  return out;
}

/**
 * The kernel refuses NUL in any string of a request (no store takes one): free-text strings say so
 * with a pattern. Strings with a pattern, a format or an enum of their own exclude it already.
 */
function withoutNul(node: Json): Json {
  if (Array.isArray(node)) return node.map(withoutNul);
  if (node === null || typeof node !== "object") return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) out[key] = withoutNul(value);
  if (out.type === "string" && !out.pattern && !out.format && !out.enum) out.pattern = "^[^\\u0000]*$";
  return out;
}

/** A body whose members are all optional may be left out altogether (Elysia accepts none then). */
function jsonOnlyBody(body: Json): Json {
  const json = body.content?.["application/json"];
  if (!json) return body;
  const required = (json.schema?.required ?? []).length > 0;
  return { ...body, required, content: { "application/json": json } };
}

const describeStatus = (status: string) =>
  ({ "200": "OK", "201": "Created", "202": "Accepted", "204": "No Content" })[status] ?? status;

/**
 * Elysia writes `t.Integer()` / `t.Number()` as anyOf [numeric string, number]; the number alone
 * is what the API takes and gives. Applied everywhere in the document.
 */
export function normaliseSchemas(node: Json): Json {
  if (Array.isArray(node)) return node.map(normaliseSchemas);
  if (node === null || typeof node !== "object") return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) out[key] = normaliseSchemas(value);
  // Elysia drops members a schema does not name before validating: they are ignored, not refused.
  if (out.additionalProperties === false) delete out.additionalProperties;
  const numeric = numericUnion(out.anyOf);
  if (numeric) {
    const { anyOf: _, ...rest } = out;
    return { ...rest, ...numeric };
  }
  // OpenAPI 3.0 has no `const` (a generator reads it as "any value"): an enum of one says the same.
  if ("const" in out) {
    const { const: value, ...rest } = out;
    return { ...rest, enum: [value] };
  }
  const literals = enumUnion(out.anyOf);
  if (literals) {
    const { anyOf: _, ...rest } = out;
    return { ...rest, ...literals };
  }
  return out;
}

/** anyOf [enum [a], enum [b], ...] of one type (TypeBox's union of literals) as one enum. */
function enumUnion(anyOf: Json): Json | undefined {
  if (!Array.isArray(anyOf) || anyOf.length === 0) return undefined;
  const types = new Set(anyOf.map((s: Json) => s?.type));
  if (types.size !== 1 || !anyOf.every((s: Json) => Array.isArray(s?.enum) && Object.keys(s).length <= 2)) {
    return undefined;
  }
  return { type: anyOf[0].type, enum: anyOf.flatMap((s: Json) => s.enum) };
}

function numericUnion(anyOf: Json): Json | undefined {
  if (!Array.isArray(anyOf) || anyOf.length !== 2) return undefined;
  const text = anyOf.find(
    (s: Json) => s?.type === "string" && ["integer", "numeric", "number"].includes(s?.format),
  );
  const number = anyOf.find((s: Json) => s?.type === "integer" || s?.type === "number");
  return text && number ? number : undefined;
}
