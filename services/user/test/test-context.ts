/**
 * One user service per test file, in process, on real Postgres and Redis: its own schema, its own
 * Redis key prefix and its own signing key, so files run side by side.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RevocationList } from "@platform/auth";
import { loadConfig } from "@platform/config";
import { createDatabase, migrateToLatest } from "@platform/db";
import { createLogger } from "@platform/logging";
import { httpClient, testInfra, uniqueName } from "@platform/testing";
import { Redis } from "ioredis";
import { type Kysely, sql } from "kysely";
import { loadSigningKeys } from "../src/auth/signing-keys.js";
import type { TokenPair } from "../src/auth/tokens.js";
import { type UserConfig, userConfigSchema } from "../src/config.js";
import { createUserRuntime } from "../src/runtime.js";
import { migrations } from "../src/store/migrations/index.js";
import type { UserDatabase } from "../src/store/user.table.js";

export async function createUserTestContext(overrides: Record<string, string> = {}) {
  const { postgresUrl, redisUrl } = await testInfra();
  const schema = uniqueName("t_users");
  const config: UserConfig = loadConfig(userConfigSchema, {
    POSTGRES_URL: postgresUrl,
    POSTGRES_SCHEMA: schema,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `${uniqueName("t_user")}:`,
    KEYS_DIR: mkdtempSync(join(tmpdir(), "user-keys-")),
    LOG_LEVEL: "silent",
    ...overrides,
  });
  const logger = createLogger({ service: "user", level: "silent" });
  const db = createDatabase<UserDatabase>({ url: postgresUrl, schema, poolMax: 5 });
  await migrateToLatest(db as Kysely<unknown>, schema, migrations);
  const redis = new Redis(redisUrl);
  const keys = await loadSigningKeys(config, logger);
  const revocations = await RevocationList.start(redis);
  const { app } = createUserRuntime(config, { db, redis, keys, revocations, logger });

  /** One request through the app, JSON in and out. */
  const call = httpClient(app, "http://user.test");

  async function register(email = `${uniqueName("u")}@example.com`, password = "correct-horse-1") {
    const res = await call<{ id: string; email: string }>("POST", "/users", {
      body: { email, name: "Test User", password },
    });
    if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { ...res.body, password };
  }

  async function session(email: string, password: string) {
    const res = await call<TokenPair>("POST", "/auth/login", { body: { email, password } });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  const login = async (email: string, password: string) => (await session(email, password)).accessToken;

  async function close() {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
    await db.destroy();
    await revocations.close();
    redis.disconnect();
  }

  return { app, config, db, redis, keys, call, register, login, session, close };
}

export type UserTestContext = Awaited<ReturnType<typeof createUserTestContext>>;
