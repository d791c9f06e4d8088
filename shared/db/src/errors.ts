/** Postgres errors a caller acts on, by SQLSTATE. */
const UNIQUE_VIOLATION = "23505";

/** A unique constraint refused the row (a duplicate email, SKU, ...). */
export const isUniqueViolation = (error: unknown): boolean =>
  (error as { code?: unknown } | null)?.code === UNIQUE_VIOLATION;
