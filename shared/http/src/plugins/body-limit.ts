/**
 * Refuses a body declared larger than the limit (413 PAYLOAD_TOO_LARGE) before it is read.
 * Undeclared (chunked) bodies are capped by serve(), which sees the bytes as they come.
 */
import { AppError } from "@platform/errors";
import { Elysia } from "elysia";

export function bodyLimit(maxBodyBytes: number) {
  return new Elysia({ name: "body-limit", seed: maxBodyBytes }).onRequest(({ request }) => {
    if (Number(request.headers.get("content-length") ?? 0) > maxBodyBytes) {
      throw new AppError("PAYLOAD_TOO_LARGE", `The request body is larger than ${maxBodyBytes} bytes.`);
    }
  });
}
