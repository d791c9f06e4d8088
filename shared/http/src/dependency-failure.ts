/**
 * Whether an error means a dependency (Postgres, Redis, another service) could not be reached,
 * as opposed to a bug: such a request answers 503 DEPENDENCY_UNAVAILABLE (gRPC: UNAVAILABLE).
 */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ConnectionRefused",
]);
const MESSAGES = [
  /Connection is closed/i, // ioredis, after the connection was lost
  /Connection terminated/i, // pg
  /timeout exceeded when trying to connect/i, // pg pool
  /Reached the max retries per request limit/i, // ioredis
  /Stream isn't writeable and enableOfflineQueue options is false/i, // ioredis, while disconnected
];

export function isDependencyFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, name } = error as Error & { code?: unknown };
  if (typeof code === "string" && NETWORK_CODES.has(code)) return true;
  if (name === "MaxRetriesPerRequestError") return true;
  if (MESSAGES.some((pattern) => pattern.test(error.message))) return true;
  return error.cause !== undefined && error.cause !== error && isDependencyFailure(error.cause);
}
