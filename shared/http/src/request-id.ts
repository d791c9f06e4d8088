/**
 * Request ids: accepted from `X-Request-Id` when short and printable, generated (UUIDv7) otherwise,
 * so a client cannot inject log lines or huge values through the header.
 */
export const REQUEST_ID_HEADER = "x-request-id";

const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

export function resolveRequestId(header: string | null | undefined): string {
  return header && ACCEPTABLE.test(header) ? header : Bun.randomUUIDv7();
}
