/**
 * What a request may carry before any route sees it:
 * - a target that parses as a URL (a `Host` header holding a path or a space is 400, not a crash
 *   wherever the URL is read);
 * - a body within the limit: a declared larger one is 413 before it is read, an undeclared
 *   (chunked) one is counted as it streams and cut off at the limit;
 * - JSON nested no deeper than MAX_JSON_DEPTH (400), a JSON body that is an object (422), no body
 *   read as an empty one, and no NUL character in the body or the query (422 naming the field).
 * With `parseBodies: false` (the gateway, which streams bodies through) only the first two apply.
 * The body's text stays readable with `rawBodyOf(request)`, for what is checked byte for byte (a
 * payment provider's webhook signature).
 */
import { AppError, validationFailed } from "@platform/errors";
import { Elysia } from "elysia";
import { fieldsWithNul, parseJsonBody } from "../json-body.js";
import { declaresTooLarge, payloadTooLarge, readBody } from "../read-body.js";

const rawBodies = new WeakMap<Request, string>();

/** The text of a request's body as it arrived, once the kernel has read it (undefined before). */
export const rawBodyOf = (request: Request): string | undefined => rawBodies.get(request);

export interface RequestInputOptions {
  maxBodyBytes: number;
  parseBodies: boolean;
}

export function requestInput({ maxBodyBytes, parseBodies }: RequestInputOptions) {
  const app = new Elysia({ name: "request-input", seed: maxBodyBytes }).onRequest(({ request }) => {
    if (!URL.canParse(request.url)) {
      throw new AppError("MALFORMED_REQUEST", "The request's Host header or target is not a valid URL.");
    }
    const declared = request.headers.get("content-length");
    if (declared !== null && !/^\d+$/.test(declared)) {
      throw new AppError("MALFORMED_REQUEST", "The Content-Length header is not a number.");
    }
    if (declaresTooLarge(request, maxBodyBytes)) throw payloadTooLarge(maxBodyBytes);
  });
  if (!parseBodies) return app;
  return (
    app
      .onParse({ as: "global" }, async ({ request }, contentType) => {
        const text = new TextDecoder().decode(await readBody(request, maxBodyBytes));
        rawBodies.set(request, text);
        // No body is an empty one: a PATCH of nothing changes nothing; a POST still misses its fields.
        if (text === "") return {};
        if (contentType === "application/json" || contentType.endsWith("+json")) {
          const body = parseJsonBody(text);
          // Every body of the API is an object; an array or a bare value is never one of them.
          if (body === null || typeof body !== "object" || Array.isArray(body)) {
            throw validationFailed("The body must be a JSON object.", [
              { field: "body", message: "must be an object" },
            ]);
          }
          return body;
        }
        if (contentType === "application/x-www-form-urlencoded") {
          return Object.fromEntries(new URLSearchParams(text));
        }
        return text;
      })
      // After validation: what is checked is what the route gets (unknown members were dropped).
      .onBeforeHandle({ as: "global" }, ({ body, query }) => {
        const errors = [...fieldsWithNul(query), ...fieldsWithNul(body)];
        if (errors.length > 0) throw validationFailed("NUL characters are not accepted.", errors);
      })
  );
}
