/** `bun run migrate`: applies the inventory service's migrations and exits. */
import { createDatabase, migrateToLatest } from "@platform/db";
import type { Kysely } from "kysely";
import { migrations } from "./catalog/migrations/index.js";
import { loadInventoryConfig } from "./config.js";

const config = loadInventoryConfig();
const db = createDatabase<unknown>({ url: config.POSTGRES_URL, schema: config.POSTGRES_SCHEMA, poolMax: 1 });
const { results = [] } = await migrateToLatest(db as Kysely<unknown>, config.POSTGRES_SCHEMA, migrations);
for (const result of results) console.log(`${result.migrationName}: ${result.status}`);
console.log(
  results.length === 0 ? "inventory: schema up to date" : `inventory: ${results.length} migration(s) applied`,
);
await db.destroy();
