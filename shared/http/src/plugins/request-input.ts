/**
 * What a request may carry before any route sees it:
 * - a target that parses as a URL (a `Host` header holding a path or a space is 400, not a crash
 *   wherever the URL is read);
 * - a body within the limit: a declared larger one is 413 before it is read, an undeclared
 *   (chunked) one is counted as it streams and cut off at the limit;
 * - JSON nested no deeper than MAX_JSON_DEPTH (400), and no NUL character in the body or the query
 *   (422 naming the field).
 * With `parseBodies: false` (the gateway, which streams bodies through) only the first two apply.
 */
import { AppError, validationFailed } from "@platform/errors";
import { Elysia } from "elysia";
import { fieldsWithNul, parseJsonBody } from "../json-body.js";
import { declaresTooLarge, payloadTooLarge, readBody } from "../read-body.js";

export interface RequestInputOptions {
  maxBodyBytes: number;
  parseBodies: boolean;
}

export function requestInput({ maxBodyBytes, parseBodies }: RequestInputOptions) {
  const app = new Elysia({ name: "request-input", seed: maxBodyBytes }).onRequest(({ request }) => {
    if (!URL.canParse(request.url)) {
      throw new AppError("MALFORMED_REQUEST", "The request's Host header or target is not a valid URL.");
    }
    if (declaresTooLarge(request, maxBodyBytes)) throw payloadTooLarge(maxBodyBytes);
  });
  if (!parseBodies) return app;
  return app
    .onParse({ as: "global" }, async ({ request }, contentType) => {
      const text = new TextDecoder().decode(await readBody(request, maxBodyBytes));
      if (text === "") return null;
      if (contentType === "application/json" || contentType.endsWith("+json")) return parseJsonBody(text);
      if (contentType === "application/x-www-form-urlencoded") {
        return Object.fromEntries(new URLSearchParams(text));
      }
      return text;
    })
    .onTransform({ as: "global" }, ({ body, query }) => {
      const errors = [...fieldsWithNul(query), ...fieldsWithNul(body)];
      if (errors.length > 0) throw validationFailed("NUL characters are not accepted.", errors);
    });
}
