export type { Migration } from "kysely/migration";
export { createDatabase, type DatabaseOptions, pingDatabase } from "./database.js";
export { migrateToLatest } from "./migrate.js";
