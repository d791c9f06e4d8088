/**
 * The client's address, for rate limits and login throttling. Without a trusted proxy it is the
 * socket's peer. Behind one (TRUST_PROXY), it is the last X-Forwarded-For entry: the one the proxy
 * itself appended. Earlier entries are whatever the client sent and are never believed, or a
 * client could pick a fresh address per request and escape every limit.
 */
export function clientIp(request: Request, socketAddress: string | undefined, trustProxy: boolean): string {
  const forwarded = trustProxy
    ? request.headers.get("x-forwarded-for")?.split(",").at(-1)?.trim()
    : undefined;
  return forwarded || socketAddress || "unknown";
}
