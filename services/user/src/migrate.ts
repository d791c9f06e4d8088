/** `bun run migrate`: applies the user service's migrations and exits. */
import { createDatabase, migrateToLatest } from "@platform/db";
import type { Kysely } from "kysely";
import { loadUserConfig } from "./config.js";
import { migrations } from "./store/migrations/index.js";

const config = loadUserConfig();
const db = createDatabase<unknown>({ url: config.POSTGRES_URL, schema: config.POSTGRES_SCHEMA, poolMax: 1 });
const { results = [] } = await migrateToLatest(db as Kysely<unknown>, config.POSTGRES_SCHEMA, migrations);
for (const result of results) console.log(`${result.migrationName}: ${result.status}`);
console.log(
  results.length === 0 ? "user: schema up to date" : `user: ${results.length} migration(s) applied`,
);
await db.destroy();
