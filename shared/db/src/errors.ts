/** Postgres errors a caller acts on, by SQLSTATE. */
const UNIQUE_VIOLATION = "23505";
const LOCK_NOT_AVAILABLE = "55P03";

/** A unique constraint refused the row (a duplicate email, SKU, ...). */
export const isUniqueViolation = (error: unknown): boolean =>
  (error as { code?: unknown } | null)?.code === UNIQUE_VIOLATION;

/** A statement gave up waiting for a lock (its session's lock_timeout ran out); rolled back. */
export const isLockNotAvailable = (error: unknown): boolean =>
  (error as { code?: unknown } | null)?.code === LOCK_NOT_AVAILABLE;
