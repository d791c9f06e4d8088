export type { Migration } from "kysely/migration";
export { deleteInBatches } from "./batches.js";
export { createDatabase, type DatabaseOptions, pingDatabase } from "./database.js";
export { isLockNotAvailable, isUniqueViolation } from "./errors.js";
export { containsPattern, escapeLike } from "./like.js";
export { type MigrateOptions, migrateToLatest } from "./migrate.js";
export { answerLost, anyOf, preparedQuery } from "./prepared.js";
export { migrateCommand, openServiceDatabase, type ServiceDatabaseConfig } from "./service-database.js";
export {
  defaultInsertVacuum,
  defaultStatistics,
  defaultVacuum,
  noInsertVacuum,
  vacuumAfterDeadRows,
  withoutStatistics,
} from "./vacuum.js";
