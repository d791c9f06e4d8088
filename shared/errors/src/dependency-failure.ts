/**
 * Whether an error means a dependency (Postgres, Redis, MongoDB, another service) could not be
 * reached or is restarting, as opposed to a bug or a bad request. Such a request answers 503
 * DEPENDENCY_UNAVAILABLE (gRPC: UNAVAILABLE), a consumer retries the message in place instead of
 * counting it towards the dead-letter stream, and a loop backs off.
 */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "EAI_AGAIN",
  "ConnectionRefused",
  "ConnectionClosed",
]);

/**
 * Postgres SQLSTATEs of a server that is away, restarting or too slow: class 08 (connection
 * exceptions), 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting up,
 * shutting down), 57014 a statement cancelled (its statement_timeout: rolled back, so a retry is safe).
 */
const POSTGRES_UNAVAILABLE = /^(08...|57P0[1-3]|57014)$/;

const MESSAGES = [
  /Connection is closed/i, // ioredis, after the connection was lost
  /Connection terminated/i, // pg
  /connection error and is not queryable/i, // pg, a client whose socket broke
  /timeout exceeded when trying to connect/i, // pg pool
  /Query read timeout/i, // pg query_timeout: a connection that went silent
  /Reached the max retries per request limit/i, // ioredis
  /Stream isn't writeable and enableOfflineQueue options is false/i, // ioredis, while disconnected
  /LOADING Redis is loading the dataset/i, // Redis, restarting with AOF
  /Command timed out/i, // ioredis commandTimeout: a connection that died silently
];

/** The MongoDB driver's names for a server it cannot reach or lost. */
const MONGO_UNAVAILABLE = new Set([
  "MongoServerSelectionError",
  "MongoNetworkError",
  "MongoNetworkTimeoutError",
  "MongoPoolClearedError",
  "MongoNotConnectedError",
  "MongoTopologyClosedError",
]);

/**
 * MongoDB server error codes of a server shutting down or of a primary that is no longer one (a
 * restart, a failover): 91 ShutdownInProgress, 189 PrimarySteppedDown, 10107 NotWritablePrimary,
 * 11600 InterruptedAtShutdown, 11602 InterruptedDueToReplStateChange, 13435 NotPrimaryNoSecondaryOk,
 * 13436 NotPrimaryOrSecondary. The driver raises them as MongoServerError, like a bad query's, or
 * as MongoBulkWriteError / MongoWriteConcernError with the same code.
 */
const MONGO_SERVER_AWAY = new Set([91, 189, 10107, 11600, 11602, 13435, 13436]);

export function isDependencyFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, name } = error as Error & { code?: unknown };
  if (typeof code === "string" && (NETWORK_CODES.has(code) || POSTGRES_UNAVAILABLE.test(code))) return true;
  // MongoServerError, or the bulk or write-concern error carrying the server's code (insertMany).
  if (typeof code === "number" && name.startsWith("Mongo") && MONGO_SERVER_AWAY.has(code)) return true;
  if (name === "MaxRetriesPerRequestError" || MONGO_UNAVAILABLE.has(name)) return true;
  if (MESSAGES.some((pattern) => pattern.test(error.message))) return true;
  return error.cause !== undefined && error.cause !== error && isDependencyFailure(error.cause);
}
