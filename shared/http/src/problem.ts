/**
 * RFC 9457 problem details: the one error format of every service.
 * Throw an AppError (@platform/errors) anywhere; the http kernel's onError turns it into
 * application/problem+json with the status of its code.
 */
import { ERROR_STATUS, type ErrorCode, type FieldError } from "@platform/errors";

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export function problem(
  code: ErrorCode,
  detail: string,
  requestId: string,
  extensions: Record<string, unknown> = {},
): Problem {
  const status = ERROR_STATUS[code];
  // Extensions first: one named like a member of the problem (`status`, say) never replaces it.
  return {
    ...extensions,
    type: `https://errors.order-platform.dev/${code.toLowerCase().replaceAll("_", "-")}`,
    title: TITLES[status] ?? "Error",
    status,
    detail,
    code,
    requestId,
  };
}

export function problemResponse(body: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { ...headers, "content-type": PROBLEM_CONTENT_TYPE },
  });
}
