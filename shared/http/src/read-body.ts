/**
 * Reading a request body within a byte limit, whether or not it declares its length: a declared
 * length over the limit is refused before a byte is read; an undeclared (chunked) body is counted
 * as it streams and cut off as soon as it passes the limit, so no more than the limit is ever held.
 */
import { AppError } from "@platform/errors";

export const payloadTooLarge = (maxBytes: number) =>
  new AppError("PAYLOAD_TOO_LARGE", `The request body is larger than ${maxBytes} bytes.`);

/** Whether the request declares a body larger than the limit (checked before anything is read). */
export const declaresTooLarge = (request: Request, maxBytes: number) =>
  Number(request.headers.get("content-length") ?? 0) > maxBytes;

export async function readBody(request: Request, maxBytes: number): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array();
  if (request.headers.has("content-length")) {
    if (declaresTooLarge(request, maxBytes)) throw payloadTooLarge(maxBytes);
    // The server reads exactly the declared length, no more.
    return new Uint8Array(await request.arrayBuffer());
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw payloadTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
